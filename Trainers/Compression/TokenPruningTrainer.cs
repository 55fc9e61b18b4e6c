using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.TokenPruning;
using TorchSharp;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Latency-adjustable token pruning of a fine-tuned classifier or regressor (Kachuee and Sharifkhani, "Latency
/// Adjustable Transformer Encoder for Language Understanding", 2022): after each layer the tokens are ranked by their
/// attention context contribution and only the top fraction goes on (<see cref="TokenPruning"/>); this trainer
/// fine-tunes the model through that pruned forward, on the target schedule and on schedules drawn around it, so
/// that it keeps its accuracy with fewer tokens. The result serves the target schedule through ONNX Runtime (one TopK
/// and one GatherND after each layer where the schedule cuts, fused kernels elsewhere), and <see cref="EncoderFineTuningTransformer.WithTokenKeep(TokenKeepSchedule)"/> changes the
/// schedule afterwards without training: one model, many speed settings. <see cref="TokenPruningEstimate"/> says
/// beforehand what a schedule should save.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>The columns the model reads (sentence, optional second sentence) and the label
/// (key for a classifier, Single for a regressor).</description></item>
/// <item><term>Output columns</term><description>As the input model: Score and, for classification, PredictedLabel.</description></item>
/// <item><term>Needs training</term><description>Yes (through the shared training loop: progress, cancellation, checkpoints and resume).</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes (<see cref="EncoderFineTuningTransformer.ExportOnnx"/>: the pruned forward, schedule in the
/// <c>token_keep</c> initializer); saved with <see cref="EncoderFineTuningTransformer.Save"/> or <c>SaveWithEncoders</c>.</description></item>
/// </list>
/// Created by <c>mlContext.MulticlassClassification.Trainers.PruneTokens(model, ...)</c>; see Samples/TokenPruningSample.cs.
/// </remarks>
public sealed class TokenPruningTrainer : IEstimator<EncoderFineTuningTransformer>
{
    private readonly FineTunedModelRetraining _retraining;
    private readonly TokenPruningOptions _options;

    internal TokenPruningTrainer(IHostEnvironment host, EncoderFineTuningTransformer model, TokenPruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        _retraining = new FineTunedModelRetraining(host, model, _options.LabelColumnName, model.Source);
        Target = TokenKeepSchedule.Parse(_options.TargetSchedule, _retraining.Weights.Config.LayerCount);
    }

    /// <summary>The schedule the model is fine-tuned for and served with.</summary>
    public TokenKeepSchedule Target { get; }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _retraining.GetOutputSchema(inputSchema);

    /// <summary>Fine-tunes on <paramref name="input"/>; see <see cref="Fit(IDataView, CancellationToken)"/>.</summary>
    public EncoderFineTuningTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Fine-tunes the model with token pruning on the labelled rows of <paramref name="input"/>; returns it serving <see cref="Target"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public EncoderFineTuningTransformer Fit(IDataView input, CancellationToken cancellationToken) => Train(_retraining.ReadRows(input), cancellationToken);

    internal EncoderFineTuningTransformer Train(FineTuningRows rows, CancellationToken cancellationToken)
    {
        TrainingOptions training = _options.Training;
        EncoderFineTuningTransformer model = _retraining.Model;
        torch.manual_seed(training.Seed);
        using SequenceClassifier classifier = FineTunedClassifierGraph.CreateClassifier(model, _retraining.Weights, _retraining.Head);
        using SequenceClassifier? teacher = _options.DistillationWeight > 0 ? FineTunedClassifierGraph.CreateTeacher(model, _retraining.Weights, _retraining.Head) : null;
        var task = new TokenPruningTask(classifier, model.Kind, rows, Target, _options.TargetShare, training.Seed,
            teacher, _options.DistillationWeight, _options.Temperature);
        TrainingResult result = ReportedTraining.Run(_retraining.Host, nameof(TokenPruningTrainer), "Token pruning fine-tuning",
            $"Fine-tuning {model.Source} with token pruning (target {Target}, {_options.TargetShare:P0} of batches, distillation weight {_options.DistillationWeight} at T = {_options.Temperature}) on {rows.Rows.Count} rows.",
            training, task, _options.Progress, cancellationToken);
        byte[] onnx = OnnxBertWriter.ToTokenPrunedBytes(classifier.Encoder.ToWeights(), Target, classifier.ExportHead(), OnnxGraphStyle.OnnxRuntimeFused);
        return _retraining.Serve(onnx, null, result);
    }
}
