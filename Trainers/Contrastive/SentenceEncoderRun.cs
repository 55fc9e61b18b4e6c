using Microsoft.ML;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.IO;
using MLNetExt.Evaluation.Sts;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>The library service behind <c>mlnetext train embed</c>: read the data, score, train (evaluating as asked), score again, save.</summary>
public static class SentenceEncoderRun
{
    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Runs <paramref name="spec"/>.</summary>
    /// <exception cref="DataFileException">The training or STS file lacks a named column or holds a bad score (the message names file, line and column).</exception>
    public static SentenceEncoderRunResult Execute(SentenceEncoderRunSpec spec, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        SentenceEmbeddingLoss loss = SentenceLosses.Create(spec.Loss, spec.MiniBatchSize);
        var ml = new MLContext(seed: spec.Seed);
        EncoderModel encoder = Directory.Exists(spec.Encoder) ? EncoderModel.Load(spec.Encoder) : PretrainedEncoders.Load(spec.Encoder);
        string[] paths = [spec.DataPath, .. spec.AdditionalDataPaths];
        var sets = paths.Select(path => SentenceTrainingFile.Read(spec, path, loss.Input == SentenceLossInput.ScoredPair, cancellationToken)).ToList();
        int textColumns = sets[0].TextColumns;
        for (int i = 1; i < sets.Count; i++)
            if (sets[i].TextColumns != textColumns)
                throw new ArgumentException($"Training set '{paths[i]}' gives {sets[i].TextColumns} texts per row, '{paths[0]}' gives {textColumns}: every training set needs the same columns.", nameof(spec));
        IReadOnlyList<StsPair>? sts = spec.EvalStsPath is null ? null : StsReader.Read(spec.EvalStsPath);
        BeirDataset? beir = spec.EvalBeirPath is null ? null : BeirReader.Load(spec.EvalBeirPath, spec.EvalBeirSplit);
        var evaluators = new List<SentenceEncoderEvaluator>();
        if (spec.EvaluateEvery is not null && sts is not null)
            evaluators.Add(new StsTrainingEvaluator(sts));
        if (spec.EvaluateEvery is not null && beir is not null)
            evaluators.Add(new BeirTrainingEvaluator(beir, name: beir.Name));

        (StsResult? stsBefore, BeirResult? beirBefore) = spec.EvaluateBefore ? Score(ml, encoder, sts, beir, spec, cancellationToken) : (null, null);
        var trainer = ml.Transforms.Text.TrainSentenceEncoder(new SentenceEncoderTrainingOptions
        {
            Model = encoder, Loss = loss, TextColumnNames = SentenceFileRow.TextColumnNames(textColumns),
            TargetColumnName = nameof(SentenceFileRow.Score), ScoreMinimum = spec.ScoreMinimum, ScoreMaximum = spec.ScoreMaximum, Pooling = spec.Pooling,
            MaxTokens = spec.MaxTokens, Progress = progress, Evaluators = evaluators,
            Training = new TrainingOptions
            {
                BatchSize = spec.BatchSize, Epochs = spec.Epochs, MaxSteps = spec.MaxSteps, LearningRate = spec.LearningRate, WarmupFraction = spec.WarmupFraction, Seed = spec.Seed,
                LengthBucketBatches = spec.LengthBucketBatches,
                CheckpointDirectory = spec.CheckpointDirectory, EvaluateEverySteps = spec.EvaluateEvery ?? 0,
                EarlyStoppingPatience = spec.EarlyStoppingPatience, KeepBestModel = spec.KeepBestModel,
            },
        });
        SentenceEncoderTrainingResult result = trainer.Train([.. sets.Select(set => ml.Data.LoadFromEnumerable(set.Rows))], cancellationToken);
        (StsResult? stsAfter, BeirResult? beirAfter) = Score(ml, result.Model, sts, beir, spec, cancellationToken);
        if (spec.OutputDirectory is not null)
            result.SaveFolder(spec.OutputDirectory);
        return new SentenceEncoderRunResult(encoder.Name, loss.Name, sets.Sum(set => set.Rows.Count), stsBefore, stsAfter, beirBefore, beirAfter, result.Training, result.Model);
    }

    // Scores an encoder the way a user of the trained folder would: EncodeText on ONNX Runtime.
    private static (StsResult? Sts, BeirResult? Beir) Score(MLContext ml, EncoderModel model, IReadOnlyList<StsPair>? sts, BeirDataset? beir,
        SentenceEncoderRunSpec spec, CancellationToken cancellationToken)
    {
        if (sts is null && beir is null)
            return (null, null);
        TextEncoderTransformer transformer = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            Model = model, InputColumnName = nameof(Sentence.Text), OutputColumnName = "Embedding", MaxTokens = spec.EvalMaxTokens ?? spec.MaxTokens, Pooling = spec.Pooling,
        }).Fit(ml.Data.LoadFromEnumerable(Array.Empty<Sentence>()));
        try
        {
            var embedder = new TransformerEmbedder(ml, transformer, nameof(Sentence.Text), "Embedding");
            return (sts is null ? null : StsEvaluator.Evaluate(sts, embedder, cancellationToken: cancellationToken),
                beir is null ? null : BeirEvaluator.EvaluateDense(beir, embedder, model.Name, cancellationToken: cancellationToken));
        }
        finally
        {
            transformer.Dispose(); // an IOwnedTransformer: its owner ends it
        }
    }
}
