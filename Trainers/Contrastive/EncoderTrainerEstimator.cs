using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>
/// The shell of an estimator that trains from a pretrained encoder in the shared <see cref="TrainingLoop"/> (sentence
/// encoders, context compressors): the catalog it was made from, the ML.NET host, the encoder training starts from
/// (all-MiniLM-L6-v2 unless the options name one), its weights, and the loop run inside a host channel.
/// </summary>
/// <typeparam name="TTransformer">The fitted transformer.</typeparam>
public abstract class EncoderTrainerEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : class, ITransformer
{
    /// <summary>Keeps the catalog and host and resolves the base encoder.</summary>
    /// <param name="catalog">The catalog the estimator was made from (to build the fitted transformer).</param>
    /// <param name="host">The ML.NET host (channels, seed).</param>
    /// <param name="model">The encoder to start from; null for all-MiniLM-L6-v2.</param>
    private protected EncoderTrainerEstimator(TransformsCatalog.TextTransforms catalog, IHostEnvironment host, EncoderModel? model)
    {
        Catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        Host = host ?? throw new ArgumentNullException(nameof(host));
        BaseModel = EncoderTraining.BaseModel(model);
    }

    /// <summary>The encoder training starts from.</summary>
    public EncoderModel BaseModel { get; }

    private protected TransformsCatalog.TextTransforms Catalog { get; }

    private protected IHostEnvironment Host { get; }

    /// <inheritdoc/>
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);

    /// <summary>Trains on <paramref name="input"/>; see <see cref="Fit(IDataView, CancellationToken)"/>.</summary>
    public TTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains on <paramref name="input"/> and returns the fitted transformer over the trained model.</summary>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public abstract TTransformer Fit(IDataView input, CancellationToken cancellationToken);
}

/// <summary>What every trainer that starts from a pretrained encoder does the same way.</summary>
internal static class EncoderTraining
{
    /// <summary><paramref name="model"/>, or all-MiniLM-L6-v2 when it is null.</summary>
    public static EncoderModel BaseModel(EncoderModel? model) => model ?? PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);

    /// <summary>The encoder's weights as plain arrays, read from its ONNX graph.</summary>
    public static BertWeights ReadWeights(EncoderModel model) => OnnxBertReader.Read(new MemoryStream(model.ReadOnnxBytes(), writable: false), model.OnnxPath);

    /// <summary>
    /// Runs the shared loop on <paramref name="task"/> inside a channel of <paramref name="host"/> named
    /// <paramref name="trainer"/>, logging <paramref name="start"/> first; every step's progress goes to
    /// <paramref name="progress"/> and, when given, to <paramref name="log"/> with the channel.
    /// </summary>
    public static TrainingResult Run<TBatch>(IHostEnvironment host, string trainer, string start, TrainingOptions options, ITrainingTask<TBatch> task,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, Action<IChannel, TrainingProgress>? log = null)
        where TBatch : IDisposable
    {
        using IChannel channel = host.Start(trainer);
        channel.Info(MessageSensitivity.None, start);
        var forward = new SynchronousProgress<TrainingProgress>(p =>
        {
            progress?.Report(p);
            log?.Invoke(channel, p);
        });
        return new TrainingLoop(options).Run(task, forward, cancellationToken);
    }
}
