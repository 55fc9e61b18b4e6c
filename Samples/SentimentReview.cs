using MLNetExt.Evaluation.Glue;

namespace MLNetExt.Samples;

/// <summary>An SST-2 movie review as the sentiment samples' pipelines read it.</summary>
public sealed class SentimentReview
{
    /// <summary>The review text.</summary>
    public string Sentence { get; set; } = "";

    /// <summary>"0" (negative) or "1" (positive); empty when predicting.</summary>
    public string Label { get; set; } = "";

    /// <summary>The first <paramref name="rows"/> reviews of an SST-2 file (<c>train.tsv</c> or <c>dev.tsv</c>).</summary>
    public static SentimentReview[] Read(string path, int rows) =>
        GlueReader.Read(GlueTask.Sst2, path).Take(rows).Select(r => new SentimentReview { Sentence = r.Sentence1, Label = r.Label }).ToArray();
}

/// <summary>What a sentiment classifier says about a review.</summary>
public sealed class SentimentPrediction
{
    /// <summary>The predicted label, mapped back from the key to "0" or "1".</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>Class scores (probabilities), in key order ("0", "1").</summary>
    public float[] Score { get; set; } = [];
}
