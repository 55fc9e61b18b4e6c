using Microsoft.ML;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt;

/// <summary>
/// Cancellation and lifetime for whole pipelines (what <c>Fit</c> or <c>LoadWithEncoders</c> returns) that hold
/// MLNetExt parts, without digging the parts out of the chain.
/// </summary>
public static class EncoderPipelineExtensions
{
    /// <summary>
    /// Applies the pipeline like <see cref="ITransformer.Transform(IDataView)"/>, passing
    /// <paramref name="cancellationToken"/> to every part that takes one (<see cref="ICancellableTransformer"/>, such as
    /// EncodeText): reading the result throws <see cref="OperationCanceledException"/> before the next batch once the
    /// token is cancelled. Stock ML.NET parts run as usual between them.
    /// </summary>
    /// <remarks>
    /// Stock transforms may read the rows on worker threads, and ML.NET wraps what a worker throws in an
    /// <see cref="InvalidOperationException"/> ("Splitter/consolidator worker encountered exception..."). The view
    /// returned here rethrows the <see cref="OperationCanceledException"/> (or the <see cref="ObjectDisposedException"/>
    /// of a part its owner ended) inside such a wrapper, so <c>catch (OperationCanceledException)</c> works around
    /// anything that reads it: <c>GetColumn</c>, <c>CreateEnumerable</c>, a trainer's <c>Fit</c>. Views made with the
    /// plain <see cref="ITransformer.Transform(IDataView)"/> of a <c>TransformerChain</c> are ML.NET's own and keep
    /// the wrapper (the original exception is its <see cref="Exception.InnerException"/>).
    /// </remarks>
    /// <param name="model">A fitted or loaded pipeline (nested chains are opened up), or a single transformer.</param>
    /// <param name="input">The data.</param>
    /// <param name="cancellationToken">Stops the encoding.</param>
    public static IDataView Transform(this ITransformer model, IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        IDataView view = input;
        foreach (ITransformer part in EncoderPipelineFile.Flatten(model))
            view = part is ICancellableTransformer cancellable ? cancellable.Transform(view, cancellationToken) : part.Transform(view);
        return new UnwrappingDataView(view);
    }

    /// <summary>
    /// Ends every MLNetExt part of the pipeline that holds native state (<see cref="IOwnedTransformer"/>): what the
    /// pipeline's owner calls when the model is no longer needed. Disposing a <c>PredictionEngine</c> or the
    /// <c>TransformerChain</c> does not end these parts (see <see cref="IOwnedTransformer"/>); stock ML.NET parts
    /// are left to ML.NET's own disposal.
    /// </summary>
    /// <param name="model">A fitted or loaded pipeline, or a single transformer.</param>
    /// <returns>How many parts were ended by this call.</returns>
    public static int DisposeEncoders(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int ended = 0;
        foreach (IOwnedTransformer part in EncoderPipelineFile.Flatten(model).OfType<IOwnedTransformer>())
        {
            if (part.IsDisposed)
                continue;
            part.Dispose();
            ended++;
        }
        return ended;
    }
}
