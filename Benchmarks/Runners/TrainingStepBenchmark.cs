using Microsoft.ML;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>Time of one fine-tuning step at one sequence length.</summary>
/// <param name="Tokens">Tokens per sentence, [CLS] and [SEP] included (every sentence has exactly this length).</param>
/// <param name="BatchSize">Sentences per step.</param>
/// <param name="Steps">Steps timed (the first, warm-up step is run but not timed).</param>
/// <param name="Threads">libtorch intra-op threads.</param>
/// <param name="MedianStepSeconds">Median wall time of a timed step: batch preparation, forward, backward, clipping and the AdamW update.</param>
public sealed record TrainingStepTiming(int Tokens, int BatchSize, int Steps, int Threads, double MedianStepSeconds)
{
    /// <summary>Sentences trained per second at the median step time.</summary>
    public double SentencesPerSecond => BatchSize / MedianStepSeconds;
}

/// <summary>
/// Times the library's own fine-tuning path (<c>EncoderTextClassification</c> over all-MiniLM-L6-v2: TorchSharp
/// forward and backward, gradient clipping, AdamW, dropout 0.1) on sentences of a fixed token length, so its steps can
/// be set beside another framework's steps of the same shape (Benchmarks/train-step-vs-pytorch.sh does that with
/// PyTorch).
/// </summary>
public static class TrainingStepBenchmark
{
    /// <summary>Runs <paramref name="steps"/> + 1 steps of <paramref name="batchSize"/> sentences of <paramref name="tokens"/> tokens each and times all but the first.</summary>
    public static TrainingStepTiming Run(int tokens, int batchSize = 32, int steps = 10, int threads = 2, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        EncoderModel encoder = PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
        if (tokens > encoder.Config.MaxTokens)
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens, $"{encoder.Name} takes at most {encoder.Config.MaxTokens} tokens.");

        // "the" is one word piece, so each sentence is exactly `tokens` long with [CLS] and [SEP].
        string sentence = string.Join(' ', Enumerable.Repeat("the", tokens - 2));
        var rows = Enumerable.Range(0, batchSize * (steps + 1)).Select(i => new Row { Sentence = sentence, Label = (i % 2).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var mlContext = new MLContext(seed: 1);
        IDataView data = mlContext.Data.LoadFromEnumerable(rows);

        var stamps = new List<double>();
        var options = new EncoderFineTuningOptions
        {
            Encoder = encoder,
            MaxTokens = tokens,
            Training = new TrainingOptions { BatchSize = batchSize, Epochs = 1, Threads = threads, KeepBestModel = false },
            Progress = new SynchronousProgress<TrainingProgress>(p => stamps.Add(p.ElapsedSeconds)),
        };
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.EncoderTextClassification(options));
        cancellationToken.ThrowIfCancellationRequested();
        pipeline.Fit(data);

        double[] stepSeconds = stamps.Zip(stamps.Skip(1), (a, b) => b - a).Order().ToArray();
        if (stepSeconds.Length == 0)
            throw new InvalidOperationException("The fine-tuning run reported no steps.");
        return new TrainingStepTiming(tokens, batchSize, stepSeconds.Length, threads, stepSeconds[stepSeconds.Length / 2]);
    }

    private sealed class Row
    {
        public string Sentence { get; set; } = "";

        public string Label { get; set; } = "";
    }
}
