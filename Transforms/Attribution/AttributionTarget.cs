namespace MLNetExt.Transforms.Attribution;

/// <summary>Which output of the explained model an attribution explains.</summary>
public enum AttributionTargetKind
{
    /// <summary>The probability (score) of the class the model predicts for the unperturbed text.</summary>
    PredictedClass,

    /// <summary>The probability (score) of one chosen class.</summary>
    Class,

    /// <summary>The model's single output value (regression, similarity, a binary probability column).</summary>
    Score,
}

/// <summary>
/// The output an attribution explains: the predicted class's probability, a chosen class's probability, or a scalar score.
/// </summary>
public sealed record AttributionTarget
{
    private AttributionTarget(AttributionTargetKind kind, int classIndex)
    {
        Kind = kind;
        ClassIndex = classIndex;
    }

    /// <summary>The predicted class (the default for a vector output such as class probabilities).</summary>
    public static AttributionTarget PredictedClass { get; } = new(AttributionTargetKind.PredictedClass, -1);

    /// <summary>The single value of a scalar output column (regression, similarity, a binary probability).</summary>
    public static AttributionTarget Score { get; } = new(AttributionTargetKind.Score, 0);

    /// <summary>The class at 0-based index <paramref name="classIndex"/> of a vector output.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is negative.</exception>
    public static AttributionTarget Class(int classIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        return new(AttributionTargetKind.Class, classIndex);
    }

    /// <summary>What is explained.</summary>
    public AttributionTargetKind Kind { get; }

    /// <summary>The class index for <see cref="AttributionTargetKind.Class"/>; -1 for the predicted class; 0 for a score.</summary>
    public int ClassIndex { get; }

    /// <summary>The index into the model's output that this target reads, given the output of the unperturbed text.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The chosen class is beyond the output's length.</exception>
    public int Resolve(ReadOnlySpan<float> originalOutput)
    {
        switch (Kind)
        {
            case AttributionTargetKind.PredictedClass:
                int best = 0;
                for (int i = 1; i < originalOutput.Length; i++)
                {
                    if (originalOutput[i] > originalOutput[best])
                        best = i;
                }
                return best;
            case AttributionTargetKind.Score:
                if (originalOutput.Length != 1)
                    throw new ArgumentOutOfRangeException(nameof(originalOutput), $"The target Score needs a scalar output; the model's output has {originalOutput.Length} values: choose PredictedClass or Class(i).");
                return 0;
            default:
                if (ClassIndex >= originalOutput.Length)
                    throw new ArgumentOutOfRangeException(nameof(originalOutput), $"Target class {ClassIndex} does not exist: the model's output has {originalOutput.Length} values.");
                return ClassIndex;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Kind == AttributionTargetKind.Class ? $"Class({ClassIndex})" : Kind.ToString();
}
