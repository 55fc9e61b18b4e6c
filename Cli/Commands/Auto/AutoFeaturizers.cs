using MLNetExt.Estimators.Pipelines;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>The featurizers <c>auto</c> sweeps over: <c>featurize-text</c> (n-gram bags) and <c>encoder</c> (pretrained sentence encoders).</summary>
internal static class AutoFeaturizers
{
    public static IReadOnlyList<string> Names { get; } = ["featurize-text", "encoder"];

    public static IReadOnlyList<SweepableEstimator> For(IReadOnlyList<string> textColumns, string? names)
    {
        string[] wanted = names is null ? Names.ToArray() : names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? unknown = wanted.FirstOrDefault(w => !Names.Contains(w));
        if (unknown is not null || wanted.Length == 0)
            throw new ArgumentException($"--featurizers: unknown featurizer '{unknown}'; expected some of {string.Join(", ", Names)}.");
        var list = new List<SweepableEstimator>();
        if (wanted.Contains("featurize-text"))
            list.Add(TextFeaturizers.FeaturizeText(textColumns));
        if (wanted.Contains("encoder"))
            list.Add(EncoderFeaturizer.Create(textColumns));
        return list;
    }
}
