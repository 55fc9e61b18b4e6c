using MLNetExt.Estimators.Pipelines;

namespace MLNetExt.Cli.Commands;

/// <summary>The featurizers <c>auto</c> sweeps over.</summary>
internal static class AutoFeaturizers
{
    public static IReadOnlyList<SweepableEstimator> For(IReadOnlyList<string> textColumns) =>
        [TextFeaturizers.FeaturizeText(textColumns)];
}
