using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.Schema;
using TorchSharp;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Attention-head pruning of a fine-tuned classifier or regressor (from <c>EncoderTextClassification</c> /
/// <c>EncoderSentenceSimilarity</c>) with its own task loss. Importance pruning (Michel, Levy and Neubig 2019): each
/// head's importance is |d task loss / d head mask| accumulated over training batches (<see cref="HeadImportance"/>),
/// the least important heads overall are removed in one global ranking (at least one per layer), their rows of the
/// query, key and value projections and their columns of the output projection are cut out of the weights
/// (<see cref="BertWeights.KeepHeads"/>), and a short recovery fine-tune on the task follows through the shared
/// training loop (progress, cancellation, checkpoints and resume). The result is a fine-tuned model like the input,
/// with a narrower graph.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>The columns the classifier reads (sentence, optional second sentence) and the label
/// (key for a classifier, Single for a regressor).</description></item>
/// <item><term>Output columns</term><description>As the input classifier: Score and, for classification, PredictedLabel.</description></item>
/// <item><term>Needs training</term><description>Yes (scoring, then recovery).</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes (<see cref="EncoderFineTuningTransformer.ExportOnnx"/>); saved with
/// <see cref="EncoderFineTuningTransformer.Save"/> or <c>SaveWithEncoders</c>.</description></item>
/// </list>
/// Created by <c>mlContext.MulticlassClassification.Trainers.PruneClassifierHeads(model, options)</c>; see Samples/ClassifierHeadPruningSample.cs.
/// </remarks>
public sealed class ClassifierHeadPruningTrainer : IEstimator<EncoderFineTuningTransformer>
{
    private readonly IHostEnvironment _host;
    private readonly EncoderFineTuningTransformer _model;
    private readonly ClassifierHeadPruningOptions _options;
    private readonly BertWeights _weights;
    private readonly OnnxLinearHead _head;

    internal ClassifierHeadPruningTrainer(IHostEnvironment host, EncoderFineTuningTransformer model, ClassifierHeadPruningOptions options)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        (_weights, _head) = FineTunedClassifierGraph.Read(model, model.Info.EncoderName ?? "the fine-tuned model");
        // Fail on an impossible head budget before any work.
        SelectHeads(_weights.Config.HeadsPerLayer.Select(h => (IReadOnlyList<float>)new float[h]).ToArray());
    }

    /// <summary>The classifier being pruned.</summary>
    public EncoderFineTuningTransformer Model => _model;

    private EncoderFineTuningOptions ColumnOptions() => new()
    {
        LabelColumnName = _options.LabelColumnName,
        SentenceColumnName = _model.Info.SentenceColumnName,
        SecondSentenceColumnName = _model.Info.SecondSentenceColumnName,
        ScoreColumnName = _model.Info.ScoreColumnName,
        PredictedLabelColumnName = _model.Info.PredictedLabelColumnName,
        MaxTokens = _model.Info.MaxTokens,
    };

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new EncoderFineTuningTrainer(_host, ColumnOptions(), _model.Kind).GetOutputSchema(inputSchema);
    }

    /// <summary>Prunes on <paramref name="input"/>; see <see cref="Fit(IDataView, CancellationToken)"/>.</summary>
    public EncoderFineTuningTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Prunes and recovers the classifier on the labelled rows of <paramref name="input"/> and returns the pruned model.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (during recovery a checkpoint is written first when checkpointing is on).</exception>
    public EncoderFineTuningTransformer Fit(IDataView input, CancellationToken cancellationToken) => Train(input, cancellationToken).Pruned;

    /// <summary>Scores the heads on the labelled rows of <paramref name="input"/>, removes the lowest-ranked, recovers, and returns the pruned model with the run's figures.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (during recovery a checkpoint is written first when checkpointing is on).</exception>
    public ClassifierHeadPruningResult Train(IDataView input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShapeFactory.Create(input.Schema));
        FineTuningRows rows = FineTuningData.Read(input, ColumnOptions(), _model.Kind, _model.Serving.Tokenizer, "training data");
        return Train(rows, cancellationToken);
    }

    internal ClassifierHeadPruningResult Train(FineTuningRows rows, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        TrainingOptions training = _options.Training;
        torch.manual_seed(training.Seed);
        float[][] scores;
        using (SequenceClassifier original = FineTunedClassifierGraph.CreateClassifier(_model, _weights, _head))
        {
            var task = new FineTuningTask(original, _model.Kind, rows);
            scores = HeadImportance.Compute(task, original.Encoder, _options.ImportanceBatches, _options.ImportanceBatchSize, training.Seed,
                _options.NormalizeImportancePerLayer, cancellationToken);
        }
        IReadOnlyList<IReadOnlyList<int>> keep = SelectHeads(scores);
        BertWeights pruned = _weights.KeepHeads(keep);
        int before = _weights.Config.HeadsPerLayer.Sum(), after = pruned.Config.HeadsPerLayer.Sum();
        using (IChannel channel = _host.Start(nameof(ClassifierHeadPruningTrainer)))
            channel.Info(MessageSensitivity.None, $"Pruned {_model.Info.EncoderName}: {after} of {before} heads kept (per layer {string.Join(",", keep.Select(k => k.Count))}).");

        using SequenceClassifier classifier = FineTunedClassifierGraph.CreateClassifier(_model, pruned, _head);
        TrainingResult? recovery = null;
        if (_options.Recover)
        {
            recovery = ReportedTraining.Run(_host, nameof(ClassifierHeadPruningTrainer), "Head pruning recovery",
                $"Recovering the pruned classifier ({after} of {before} heads) on {rows.Rows.Count} rows.",
                training, new FineTuningTask(classifier, _model.Kind, rows), _options.Progress, cancellationToken);
        }
        EncoderFineTuningTransformer model = Export(classifier, $"{after} of {before} heads, {HeadPruningMethod.Importance}", recovery);
        return new ClassifierHeadPruningResult(model, HeadPruningMethod.Importance, scores, keep, null, recovery, clock.Elapsed.TotalSeconds);
    }

    private IReadOnlyList<IReadOnlyList<int>> SelectHeads(IReadOnlyList<IReadOnlyList<float>> scores)
    {
        int total = scores.Sum(l => l.Count);
        if (_options.KeepHeads is int keep && (keep < scores.Count || keep >= total))
            throw new ArgumentOutOfRangeException(nameof(ClassifierHeadPruningOptions.KeepHeads), keep,
                $"KeepHeads must be from {scores.Count} (one head in each of the {scores.Count} layers) to {total - 1} (of {total} heads); got {keep}.");
        double fraction = _options.KeepHeads is int k ? (total - k) / (double)total : _options.PruneFraction;
        return HeadImportance.SelectHeadsToKeep(scores, fraction);
    }

    /// <summary>The pruned classifier as a served model: the same settings as the input, the pruned graph (ONNX Runtime's fused kernels).</summary>
    internal EncoderFineTuningTransformer Export(SequenceClassifier classifier, string description, TrainingResult? training)
    {
        byte[] onnx = OnnxBertWriter.ToBytes(classifier.Encoder.ToWeights(), classifier.ExportHead(), OnnxGraphStyle.OnnxRuntimeFused);
        FineTunedModelInfo info = JsonSerializer.Deserialize<FineTunedModelInfo>(JsonSerializer.SerializeToUtf8Bytes(_model.Info))!;
        info.EncoderName = $"{_model.Info.EncoderName} ({description})";
        return new EncoderFineTuningTransformer(_host, info, onnx, _model.VocabularyBytes, training);
    }
}
