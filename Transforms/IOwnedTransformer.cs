using Microsoft.ML;

namespace MLNetExt.Transforms;

/// <summary>
/// An MLNetExt transformer that holds native state (an ONNX Runtime session) and whose life only its owner ends,
/// with <see cref="Dispose"/> or <c>model.DisposeEncoders()</c> on the pipeline holding it.
/// </summary>
/// <remarks>
/// <para>These transformers deliberately do not implement <see cref="IDisposable"/>. ML.NET's <c>TransformerChain</c>
/// disposes every <see cref="IDisposable"/> transformer it holds, and a <c>PredictionEngine</c> disposes its pipeline
/// when it is disposed (<c>PredictionEngineOptions.OwnsTransformer</c> defaults to true). With <see cref="IDisposable"/>,
/// the usual <c>using var engine = mlContext.Model.CreatePredictionEngine&lt;TIn, TOut&gt;(model)</c> per request
/// or per thread would end a model that other engines share. So disposing an engine or a chain leaves these
/// transformers alive; their owner ends them, and a transformer nobody references releases its session when it is
/// garbage-collected.</para>
/// <para>Ending a transformer is safe while other threads use it: calls already running finish with the right answer,
/// the native session is released when the last of them ends, and every later call throws
/// <see cref="ObjectDisposedException"/> naming the transformer.</para>
/// </remarks>
public interface IOwnedTransformer : ITransformer
{
    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    bool IsDisposed { get; }

    /// <summary>
    /// Ends the transformer: later calls throw <see cref="ObjectDisposedException"/>; the native session is released
    /// now, or when the last call still running ends. Calling it again does nothing.
    /// </summary>
    void Dispose();
}
