using Microsoft.ML;

namespace MLNetExt.Transforms;

/// <summary>
/// A transformer whose <see cref="Transform(IDataView, CancellationToken)"/> gives a view whose cursors stop with
/// <see cref="OperationCanceledException"/> once the token is cancelled. <c>model.Transform(data, cancellationToken)</c>
/// (<see cref="EncoderPipelineExtensions"/>) passes the token to every such part of a pipeline.
/// </summary>
public interface ICancellableTransformer : ITransformer
{
    /// <summary>
    /// <see cref="ITransformer.Transform(IDataView)"/> whose cursors throw <see cref="OperationCanceledException"/>
    /// before their next unit of work once <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    IDataView Transform(IDataView input, CancellationToken cancellationToken);
}
