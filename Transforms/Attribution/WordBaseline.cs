namespace MLNetExt.Transforms.Attribution;

/// <summary>How a word is taken out of a text when a method perturbs it.</summary>
public enum WordBaselineKind
{
    /// <summary>The word is deleted (gradient methods: its embedding becomes the padding token's).</summary>
    Remove,

    /// <summary>The word is replaced by an unknown-word token (<c>[UNK]</c> by default, or <c>[MASK]</c>).</summary>
    UnknownToken,

    /// <summary>The word is replaced by a word drawn from a <see cref="UnigramWordSampler"/>.</summary>
    SampledWord,

    /// <summary>The word is replaced by one a <see cref="MaskedWordPredictor"/> predicts in its context.</summary>
    PredictedWord,
}

/// <summary>
/// The baseline of an attribution: what an absent word looks like (Captum's <c>baselines</c> argument, for words).
/// </summary>
public sealed class WordBaseline
{
    private WordBaseline(WordBaselineKind kind, string? token, UnigramWordSampler? sampler, MaskedWordPredictor? predictor = null, int topK = 0)
    {
        Kind = kind;
        Token = token;
        Sampler = sampler;
        Predictor = predictor;
        TopK = topK;
    }

    /// <summary>Words are deleted from the text.</summary>
    public static WordBaseline Remove { get; } = new(WordBaselineKind.Remove, null, null);

    /// <summary>Words are replaced by <paramref name="token"/> (e.g. <c>[UNK]</c> or <c>[MASK]</c>).</summary>
    public static WordBaseline UnknownToken(string token = "[UNK]")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        return new(WordBaselineKind.UnknownToken, token, null);
    }

    /// <summary>Words are replaced by words drawn from <paramref name="sampler"/> (ReAGent's replacement when no masked-token predictor is given).</summary>
    public static WordBaseline Sampled(UnigramWordSampler sampler)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        return new(WordBaselineKind.SampledWord, null, sampler);
    }

    /// <summary>
    /// Words are replaced by words <paramref name="predictor"/> fills in for them, all masked words of a perturbation at
    /// once, drawn from its <paramref name="topK"/> candidates other than the original word (ReAGent's reference
    /// replacement, a masked language model).
    /// </summary>
    public static WordBaseline Predicted(MaskedWordPredictor predictor, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        return new(WordBaselineKind.PredictedWord, null, null, predictor, topK);
    }

    /// <summary>The kind of replacement.</summary>
    public WordBaselineKind Kind { get; }

    /// <summary>The replacement token for <see cref="WordBaselineKind.UnknownToken"/>.</summary>
    public string? Token { get; }

    /// <summary>The word sampler for <see cref="WordBaselineKind.SampledWord"/>.</summary>
    public UnigramWordSampler? Sampler { get; }

    /// <summary>The predictor for <see cref="WordBaselineKind.PredictedWord"/>.</summary>
    public MaskedWordPredictor? Predictor { get; }

    /// <summary>Candidates a predicted replacement is drawn from (<see cref="WordBaselineKind.PredictedWord"/>).</summary>
    public int TopK { get; }

    /// <summary>What goes in place of a removed word: null (delete), the token, or a sampled word.</summary>
    /// <exception cref="InvalidOperationException">A predicted baseline: its words depend on the context, see <see cref="Replace"/>.</exception>
    public string? Replacement(Random random) => Kind switch
    {
        WordBaselineKind.Remove => null,
        WordBaselineKind.UnknownToken => Token,
        WordBaselineKind.SampledWord => Sampler!.Sample(random),
        _ => throw new InvalidOperationException("A predicted replacement depends on the text around it; call Replace with the text and its masks."),
    };

    /// <summary>
    /// The words of <paramref name="input"/> with those where each of <paramref name="keeps"/> is false replaced per the
    /// baseline (null: deleted); words past a mask's length are kept.
    /// </summary>
    public string?[][] Replace(TextInstance input, IReadOnlyList<bool[]> keeps, Random random, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(keeps);
        if (Kind == WordBaselineKind.PredictedWord)
            return Predictor!.Replace(input, keeps, TopK, random, cancellationToken);
        var replaced = new string?[keeps.Count][];
        for (int k = 0; k < keeps.Count; k++)
        {
            replaced[k] = new string?[input.Count];
            for (int i = 0; i < input.Count; i++)
                replaced[k][i] = i < keeps[k].Length && !keeps[k][i] ? Replacement(random) : input.Words[i];
        }
        return replaced;
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        WordBaselineKind.UnknownToken => $"UnknownToken({Token})",
        WordBaselineKind.SampledWord => $"SampledWord({Sampler!.Count} words)",
        WordBaselineKind.PredictedWord => $"PredictedWord({Predictor!.Encoder.Name}, top {TopK})",
        _ => "Remove",
    };
}
