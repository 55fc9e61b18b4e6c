using System.Diagnostics;
using Microsoft.ML;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Evaluation.Sts;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// The library service behind <c>mlnetext compress</c>: drops layers and distils (optional), prunes attention heads and
/// recovers (optional), quantises to int8
/// (optional), writes the compressed model as a Hugging Face-layout folder, and measures it against the original in the
/// same run: size, sentences per second through <c>EncodeText</c>, STS cosine Spearman and BEIR NDCG@10.
/// </summary>
public static class EncoderCompression
{
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Runs <paramref name="spec"/>.</summary>
    /// <param name="spec">What to make and measure.</param>
    /// <param name="progress">Distillation steps.</param>
    /// <param name="log">One line per stage (loading, distilling, quantising, timing, evaluating).</param>
    /// <param name="cancellationToken">Stops distillation (after a checkpoint when checkpointing), encoding and evaluation.</param>
    /// <exception cref="ArgumentOutOfRangeException">Nothing to do, or a setting is out of range (the message names it and its value).</exception>
    /// <exception cref="FileNotFoundException">A distillation, STS or BEIR path does not exist.</exception>
    public static EncoderCompressionReport Run(EncoderCompressionSpec spec, IProgress<TrainingProgress>? progress = null, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        log ??= _ => { };
        Validate(spec);
        var ml = new MLContext(seed: spec.Seed);
        EncoderModel original = LoadEncoder(spec.Encoder);
        EncoderModel reference = spec.Reference is null ? original : LoadEncoder(spec.Reference);
        if (spec.Layers is int layers && (layers < 1 || layers > original.Config.Layers))
            throw new ArgumentOutOfRangeException(nameof(spec), layers, $"--layers must be 1 to {original.Config.Layers} ({original.Name} has {original.Config.Layers} layers); got {layers}.");
        IReadOnlyList<int>? studentLayers = spec.StudentLayers is null ? null
            : new EncoderDistillationOptions { StudentLayers = spec.StudentLayers }.ResolveLayers(original.Config.Layers);

        EncoderModel model = original;
        EncoderDistillationResult? distilled = null;
        int? studentLayerCount = spec.Layers ?? studentLayers?.Count;
        string[] texts = studentLayerCount is null && spec.PruneHeads is null ? [] : UnlabelledText.Read(spec.DistillTextPaths, spec.DistillColumns, spec.MaxDistillTexts);
        TrainingOptions Training(string? checkpointSubfolder) => new()
        {
            BatchSize = spec.BatchSize, Epochs = spec.Epochs, LearningRate = spec.LearningRate, Seed = spec.Seed, LengthBucketBatches = spec.LengthBucketBatches,
            CheckpointDirectory = spec.CheckpointDirectory is null || checkpointSubfolder is null ? spec.CheckpointDirectory : Path.Combine(spec.CheckpointDirectory, checkpointSubfolder),
        };
        if (studentLayerCount is int count)
        {
            log($"Distilling {original.Name} into {count} layers on {texts.Length} texts from {string.Join(", ", spec.DistillTextPaths)}"
                + (spec.HiddenStateWeight > 0 ? $", hidden-state weight {spec.HiddenStateWeight}" : "")
                + (spec.AttentionWeight > 0 ? $", attention-map weight {spec.AttentionWeight}." : "."));
            var trainer = ml.Transforms.Text.DistillEncoder(new EncoderDistillationOptions
            {
                Teacher = original, StudentLayerCount = count, StudentLayers = studentLayers, HiddenStateWeight = spec.HiddenStateWeight,
                AttentionWeight = spec.AttentionWeight, MaxTokens = spec.MaxTokens, Progress = progress, Training = Training(null),
            });
            distilled = trainer.Train(ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t })), cancellationToken);
            model = distilled.Student;
        }

        EncoderHeadPruningResult? pruned = null;
        if (spec.PruneHeads is double fraction)
        {
            log($"Pruning {fraction:0.###} of the attention heads of {model.Name} ("
                + (spec.HeadPruningMethod == HeadPruningMethod.Shrp ? $"SHRP, {spec.RoutingEpochs:0.##} routing epochs" : $"importance over {spec.ImportanceBatches} batches")
                + $"), recovering on {texts.Length} texts.");
            var trainer = ml.Transforms.Text.PruneEncoderHeads(new EncoderHeadPruningOptions
            {
                Model = model, Teacher = original, PruneFraction = fraction, ImportanceBatches = spec.ImportanceBatches, ImportanceBatchSize = spec.BatchSize,
                Method = spec.HeadPruningMethod, Shrp = new ShrpOptions { RoutingEpochs = spec.RoutingEpochs },
                MaxTokens = spec.MaxTokens, Progress = progress, Training = Training(studentLayerCount is null ? null : "heads"),
            });
            pruned = trainer.Train(ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t })), cancellationToken);
            log($"Pruned: {pruned}.");
            model = pruned.Pruned;
        }

        string? quantization = null;
        if (spec.Int8)
        {
            EncoderQuantizationResult int8 = EncoderQuantizer.Quantize(model);
            quantization = int8.ToString();
            log($"Quantised: {quantization}.");
            model = int8.Model;
        }

        model.Save(spec.OutputDirectory);
        EncoderModel written = EncoderModel.Load(spec.OutputDirectory);
        log($"Wrote {spec.OutputDirectory} ({written.SizeBytes / 1048576.0:F1} MiB).");

        (double Wall, double Cpu)? originalSpeed = null, compressedSpeed = null;
        int timedTexts = 0;
        if (spec.SpeedRows > 0)
        {
            string[] speedTexts = SpeedTexts(spec);
            timedTexts = speedTexts.Length;
            log($"Timing both models on {speedTexts.Length} texts, {spec.SpeedRounds} alternating rounds.");
            (originalSpeed, compressedSpeed) = Time(ml, reference, written, speedTexts, spec, cancellationToken);
        }

        IReadOnlyList<StsPair>? sts = spec.StsPath is null ? null : StsReader.Read(spec.StsPath);
        BeirDataset? beir = spec.BeirPath is null ? null : BeirReader.Load(spec.BeirPath);
        (double? Sts, double? Beir) Quality(EncoderModel m, string which)
        {
            if (sts is null && beir is null)
                return (null, null);
            log($"Evaluating the {which} model{(sts is null ? "" : " on " + spec.StsPath)}{(beir is null ? "" : " and " + spec.BeirPath)}.");
            return WithEncoder<(double?, double?)>(ml, m, spec, embedder => (
                sts is null ? null : Math.Round(100 * StsEvaluator.Evaluate(sts, embedder, cancellationToken: cancellationToken).CosineSpearman, 2),
                beir is null ? null : Math.Round(100 * BeirEvaluator.EvaluateDense(beir, embedder, m.Name, new DenseRetrievalOptions
                {
                    QueryPrefix = m.Config.QueryPrefix, DocumentPrefix = m.Config.DocumentPrefix,
                }, cancellationToken: cancellationToken).Metrics.Ndcg(10), 2)));
        }
        (double? originalSts, double? originalBeir) = spec.EvaluateOriginal ? Quality(reference, "original") : (null, null);
        (double? compressedSts, double? compressedBeir) = Quality(written, "compressed");

        string? plotPath = null;
        if (spec.Plot && originalSpeed is { } os && compressedSpeed is { } cs
            && (originalSts ?? originalBeir) is double originalQuality && (originalSts is null ? compressedBeir : compressedSts) is double compressedQuality)
        {
            plotPath = Path.GetFullPath(Path.Combine(spec.OutputDirectory, "speed_quality.png"));
            SpeedQualityPlot.Save([new SpeedQualityPoint("original", 1, originalQuality), new SpeedQualityPoint(Describe(written, spec, distilled, pruned), cs.Wall / os.Wall, compressedQuality)],
                originalSts is null ? "BEIR NDCG@10" : "STS cosine Spearman", plotPath);
        }

        return new EncoderCompressionReport
        {
            PlotPath = plotPath,
            Original = Figures(reference, originalSpeed, originalSts, originalBeir),
            Compressed = Figures(written, compressedSpeed, compressedSts, compressedBeir) with { Model = Describe(written, spec, distilled, pruned) },
            Speedup = originalSpeed is { } o && compressedSpeed is { } c ? Math.Round(c.Wall / o.Wall, 3) : null,
            SpeedupCpu = originalSpeed is { } oc && compressedSpeed is { } cc ? Math.Round(cc.Cpu / oc.Cpu, 3) : null,
            SpeedRows = timedTexts,
            TeacherLayers = distilled?.TeacherLayers,
            DistillTexts = texts.Length,
            HeadsTotal = pruned?.HeadsBefore,
            HeadsKept = pruned?.HeadsAfter,
            HeadPruning = pruned?.ToString(),
            HeadRouting = pruned?.Routing,
            HeadRecovery = pruned?.Recovery,
            Distillation = distilled?.Training,
            Quantization = quantization,
            OutputDirectory = Path.GetFullPath(spec.OutputDirectory),
            Model = written,
        };
    }

    private static void Validate(EncoderCompressionSpec spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec.OutputDirectory, nameof(spec.OutputDirectory));
        if (spec.StudentLayers is { } chosen && spec.Layers is int count && count != chosen.Count)
            throw new ArgumentOutOfRangeException(nameof(spec), count, $"--layers {count} disagrees with --student-layers {string.Join(",", chosen)} ({chosen.Count} layers); give one of them.");
        if (!(spec.HiddenStateWeight >= 0) || double.IsInfinity(spec.HiddenStateWeight))
            throw new ArgumentOutOfRangeException(nameof(spec), spec.HiddenStateWeight, $"The hidden-state weight must be a non-negative number; got {spec.HiddenStateWeight}.");
        if (!(spec.AttentionWeight >= 0) || double.IsInfinity(spec.AttentionWeight))
            throw new ArgumentOutOfRangeException(nameof(spec), spec.AttentionWeight, $"The attention-map weight must be a non-negative number; got {spec.AttentionWeight}.");
        if (spec.LengthBucketBatches < 0)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.LengthBucketBatches, $"The length buckets must not be negative; got {spec.LengthBucketBatches}.");
        if (!spec.Int8 && spec.Layers is null && spec.StudentLayers is null && spec.PruneHeads is null && spec.Reference is null)
            throw new ArgumentOutOfRangeException(nameof(spec), "Nothing to do: ask for int8 quantisation, fewer layers, head pruning, or a combination.");
        if (spec.PruneHeads is double fraction)
            HeadImportance.CheckFraction(fraction, "--prune-heads");
        if ((spec.Layers is not null || spec.StudentLayers is not null || spec.PruneHeads is not null) && spec.DistillTextPaths.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(spec), "Fewer layers or heads need unlabelled text to learn from (--distill-text FILE).");
        if (spec.SpeedRows < 0)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.SpeedRows, $"The speed rows must not be negative; got {spec.SpeedRows}.");
        if (spec.SpeedRounds < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.SpeedRounds, $"The speed rounds must be at least 1; got {spec.SpeedRounds}.");
        foreach (string path in spec.DistillTextPaths.Append(spec.StsPath).OfType<string>())
            if (!File.Exists(path))
                throw new FileNotFoundException($"'{path}' does not exist.", path);
        if (spec.BeirPath is not null && !Directory.Exists(spec.BeirPath))
            throw new DirectoryNotFoundException($"The BEIR folder '{spec.BeirPath}' does not exist.");
    }

    private static EncoderModel LoadEncoder(string nameOrFolder) =>
        Directory.Exists(nameOrFolder) ? EncoderModel.Load(nameOrFolder) : PretrainedEncoders.Load(nameOrFolder);

    private static string Describe(EncoderModel model, EncoderCompressionSpec spec, EncoderDistillationResult? distilled, EncoderHeadPruningResult? pruned) =>
        $"{model.Name}: {model.Config.Layers} layers" + (distilled is null ? "" : $" (teacher layers {string.Join(", ", distilled.TeacherLayers ?? [])}, distilled)")
        + (pruned is null ? "" : $", {pruned.HeadsAfter} of {pruned.HeadsBefore} heads") + (spec.Int8 ? ", int8" : ", fp32");

    private static CompressedModelFigures Figures(EncoderModel model, (double Wall, double Cpu)? speed, double? sts, double? beir) => new()
    {
        Model = $"{model.Name}: {model.Config.Layers} layers, fp32",
        SizeBytes = model.SizeBytes,
        SentencesPerSecond = speed is { } s ? Math.Round(s.Wall, 2) : null,
        SentencesPerCpuSecond = speed is { } c ? Math.Round(c.Cpu, 2) : null,
        StsSpearman = sts,
        BeirNdcgAt10 = beir,
    };

    // Short STS sentences and long documents, as the bench encode mix: from the STS file and the BEIR corpus when given,
    // else from the distillation text.
    private static string[] SpeedTexts(EncoderCompressionSpec spec)
    {
        var texts = new List<string>();
        if (spec.StsPath is not null)
            texts.AddRange(StsReader.Read(spec.StsPath).SelectMany(p => new[] { p.Sentence1, p.Sentence2 }).Distinct(StringComparer.Ordinal).Take(spec.BeirPath is null ? spec.SpeedRows : spec.SpeedRows / 2));
        if (spec.BeirPath is not null)
            texts.AddRange(BeirReader.ReadCorpus(Path.Combine(spec.BeirPath, "corpus.jsonl")).Take(spec.SpeedRows - texts.Count).Select(d => d.Title.Length == 0 ? d.Text : d.Title + " " + d.Text));
        if (texts.Count < spec.SpeedRows && spec.DistillTextPaths.Count > 0)
            texts.AddRange(UnlabelledText.Read(spec.DistillTextPaths, spec.DistillColumns, spec.SpeedRows - texts.Count));
        if (texts.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(spec), "No texts to time the models on: give an STS file, a BEIR folder or distillation text, or set the speed rows to 0.");
        return texts.ToArray();
    }

    private static ((double Wall, double Cpu) Original, (double Wall, double Cpu) Compressed) Time(MLContext ml, EncoderModel original, EncoderModel compressed,
        string[] texts, EncoderCompressionSpec spec, CancellationToken cancellationToken)
    {
        IDataView data = ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }));
        var best = new (double Wall, double Cpu)[2];
        EncoderModel[] models = [original, compressed];
        using var process = Process.GetCurrentProcess();
        for (int round = 0; round < spec.SpeedRounds; round++)
        {
            foreach (int which in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                WithEncoder(ml, models[which], spec, embedder =>
                {
                    embedder.EmbedAll(texts.Take(32).ToArray(), cancellationToken: cancellationToken); // warm-up: session start and first allocations
                    process.Refresh();
                    TimeSpan cpu = process.TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    embedder.EmbedAll(texts, cancellationToken: cancellationToken);
                    double wall = texts.Length / clock.Elapsed.TotalSeconds;
                    process.Refresh();
                    double perCpu = texts.Length / Math.Max(1e-9, (process.TotalProcessorTime - cpu).TotalSeconds);
                    best[which] = (Math.Max(best[which].Wall, wall), Math.Max(best[which].Cpu, perCpu));
                    return 0;
                });
            }
        }
        return (best[0], best[1]);
    }

    private static T WithEncoder<T>(MLContext ml, EncoderModel model, EncoderCompressionSpec spec, Func<ITextEmbedder, T> use)
    {
        TextEncoderTransformer transformer = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            Model = model, InputColumnName = "Text", OutputColumnName = "Embedding", IntraOpThreads = spec.Threads,
        }).Fit(ml.Data.LoadFromEnumerable(Array.Empty<TextRow>()));
        try
        {
            return use(new TransformerEmbedder(ml, transformer, "Text", "Embedding"));
        }
        finally
        {
            transformer.Dispose(); // an IOwnedTransformer: its owner ends it
        }
    }
}
