using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.Onnx;
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
/// <para>SHRP (<see cref="HeadPruningMethod.Shrp"/>; Su et al. 2025, "SHRP: Specialized Head Routing and Pruning for
/// Efficient Encoder Compression") turns every layer into Expert Attention: each head is an expert whose output a
/// per-layer Top-1 router weighs per token (<see cref="ExpertAttentionRouter"/>), and a light expander feed-forward
/// network shared by the layer's heads refines their projected output (<see cref="AttentionExpander"/>). A routing run
/// trains router, expanders and classifier with the task loss (optionally distillation from the unpruned classifier):
/// load balancing, then specialisation with Top-1 usage counted, then the least-used heads (one global ranking, at
/// least one per layer) and the routing itself fade to zero. At deployment the router is dropped and the faded heads
/// are cut out of the weights: a deterministic choice, and the pruned network computes exactly what the routed one did
/// at its last step. The expanders stay (exported into the graph). The same recovery fine-tune follows. The routing
/// run is not checkpointed (its usage counts live outside the module); the recovery is.</para>
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
    private readonly FineTunedModelRetraining _retraining;
    private readonly ClassifierHeadPruningOptions _options;

    internal ClassifierHeadPruningTrainer(IHostEnvironment host, EncoderFineTuningTransformer model, ClassifierHeadPruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        _retraining = new FineTunedModelRetraining(host, model, _options.LabelColumnName, model.Info.EncoderName ?? "the fine-tuned model");
        // Fail on an impossible head budget before any work.
        SelectHeads(_retraining.Weights.Config.HeadsPerLayer.Select(h => (IReadOnlyList<float>)new float[h]).ToArray());
    }

    /// <summary>The classifier being pruned.</summary>
    public EncoderFineTuningTransformer Model => _retraining.Model;

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _retraining.GetOutputSchema(inputSchema);

    /// <summary>Prunes on <paramref name="input"/>; see <see cref="Fit(IDataView, CancellationToken)"/>.</summary>
    public EncoderFineTuningTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Prunes and recovers the classifier on the labelled rows of <paramref name="input"/> and returns the pruned model.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (during recovery a checkpoint is written first when checkpointing is on).</exception>
    public EncoderFineTuningTransformer Fit(IDataView input, CancellationToken cancellationToken) => Train(input, cancellationToken).Pruned;

    /// <summary>Scores the heads on the labelled rows of <paramref name="input"/>, removes the lowest-ranked, recovers, and returns the pruned model with the run's figures.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (during recovery a checkpoint is written first when checkpointing is on).</exception>
    public ClassifierHeadPruningResult Train(IDataView input, CancellationToken cancellationToken = default) =>
        Train(_retraining.ReadRows(input), cancellationToken);

    internal ClassifierHeadPruningResult Train(FineTuningRows rows, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        TrainingOptions training = _options.Training;
        torch.manual_seed(training.Seed);
        IReadOnlyList<IReadOnlyList<float>> scores;
        IReadOnlyList<IReadOnlyList<int>> keep;
        TrainingResult? routing = null;
        BertWeights pruned;
        OnnxLinearHead head = _retraining.Head;
        if (_options.Method == HeadPruningMethod.Shrp)
        {
            ShrpRouting route = Route(rows, cancellationToken);
            (scores, keep, routing, pruned, head) = (route.Usage, route.Kept, route.Training, route.Pruned, route.Head);
        }
        else
        {
            using (SequenceClassifier original = FineTunedClassifierGraph.CreateClassifier(Model, _retraining.Weights, _retraining.Head))
            {
                var task = new FineTuningTask(original, Model.Kind, rows);
                scores = HeadImportance.Compute(task, original.Encoder, _options.ImportanceBatches, _options.ImportanceBatchSize, training.Seed,
                    _options.NormalizeImportancePerLayer, cancellationToken);
            }
            keep = SelectHeads(scores);
            pruned = _retraining.Weights.KeepHeads(keep);
        }
        int before = _retraining.Weights.Config.HeadsPerLayer.Sum(), after = pruned.Config.HeadsPerLayer.Sum();
        using (IChannel channel = _retraining.Host.Start(nameof(ClassifierHeadPruningTrainer)))
            channel.Info(MessageSensitivity.None, $"Pruned {Model.Info.EncoderName} ({_options.Method}): {after} of {before} heads kept (per layer {string.Join(",", keep.Select(k => k.Count))}).");

        using SequenceClassifier classifier = FineTunedClassifierGraph.CreateClassifier(Model, pruned, head);
        TrainingResult? recovery = null;
        if (_options.Recover)
        {
            recovery = ReportedTraining.Run(_retraining.Host, nameof(ClassifierHeadPruningTrainer), "Head pruning recovery",
                $"Recovering the pruned classifier ({after} of {before} heads) on {rows.Rows.Count} rows.",
                training, new FineTuningTask(classifier, Model.Kind, rows), _options.Progress, cancellationToken);
        }
        EncoderFineTuningTransformer model = Export(classifier, $"{after} of {before} heads, {_options.Method}", recovery);
        return new ClassifierHeadPruningResult(model, _options.Method, scores, keep, routing, recovery, clock.Elapsed.TotalSeconds);
    }

    /// <summary>What SHRP's routing run leaves: usage, the heads kept, the run, and the pruned encoder (with its expanders) and head.</summary>
    internal sealed record ShrpRouting(IReadOnlyList<IReadOnlyList<float>> Usage, IReadOnlyList<IReadOnlyList<int>> Kept, TrainingResult Training,
        BertWeights Pruned, OnnxLinearHead Head, BertWeights Routed);

    /// <summary>
    /// SHRP's routing run (<see cref="ShrpRoutingTask{TBatch}"/>) on the classifier with expanders added; ends with the removed
    /// heads gated to zero and no routing, so <see cref="ShrpRouting.Pruned"/> computes what the routed network did at its
    /// last step. <see cref="ShrpRouting.Routed"/> holds the routed encoder's weights before the heads are cut.
    /// </summary>
    internal ShrpRouting Route(FineTuningRows rows, CancellationToken cancellationToken)
    {
        TrainingOptions training = _options.Training;
        using SequenceClassifier classifier = new(ShrpSetup.ExpandedEncoder(_retraining.Weights, _options.Shrp.ExpanderSize), Model.ClassCount, _retraining.Head.Pooling ?? Transforms.EncoderPooling.Mean);
        classifier.LoadHead(_retraining.Head);
        using SequenceClassifier? teacher = _options.DistillationWeight > 0 ? FineTunedClassifierGraph.CreateTeacher(Model, _retraining.Weights, _retraining.Head) : null;
        (TrainingOptions loop, int steps) = ShrpSetup.RoutingLoop(training, _options.Shrp, rows.Rows.Count);
        var inner = new ClassifierDistillationTask(classifier, teacher, Model.Kind, rows, _options.DistillationWeight, temperature: 1, teacherLayers: null, hiddenWeight: 0);
        using var task = new ShrpRoutingTask<FineTuningBatch>(classifier.Encoder, inner, b => b.AttentionMask, _options.Shrp,
            steps * Math.Max(1, training.GradientAccumulationSteps), SelectHeads);
        TrainingResult result = ReportedTraining.Run(_retraining.Host, nameof(ClassifierHeadPruningTrainer), "SHRP routing",
            $"Routing {_retraining.Weights.Config.HeadsPerLayer.Sum()} heads (experts) of {Model.Info.EncoderName} on {rows.Rows.Count} rows, {steps} steps.",
            loop, task, _options.Progress, cancellationToken);
        task.Finish();
        IReadOnlyList<IReadOnlyList<int>> kept = task.Kept!;
        BertWeights routed = classifier.Encoder.ToWeights();
        return new ShrpRouting(task.Usage, kept, result, routed.KeepHeads(kept), classifier.ExportHead(), routed);
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
    internal EncoderFineTuningTransformer Export(SequenceClassifier classifier, string description, TrainingResult? training) =>
        _retraining.Serve(OnnxBertWriter.ToBytes(classifier.Encoder.ToWeights(), classifier.ExportHead(), OnnxGraphStyle.OnnxRuntimeFused), description, training);
}
