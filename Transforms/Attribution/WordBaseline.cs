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
}

/// <summary>
/// The baseline of an attribution: what an absent word looks like (Captum's <c>baselines</c> argument, for words).
/// </summary>
public sealed class WordBaseline
{
    private WordBaseline(WordBaselineKind kind, string? token, UnigramWordSampler? sampler)
    {
        Kind = kind;
        Token = token;
        Sampler = sampler;
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

    /// <summary>The kind of replacement.</summary>
    public WordBaselineKind Kind { get; }

    /// <summary>The replacement token for <see cref="WordBaselineKind.UnknownToken"/>.</summary>
    public string? Token { get; }

    /// <summary>The word sampler for <see cref="WordBaselineKind.SampledWord"/>.</summary>
    public UnigramWordSampler? Sampler { get; }

    /// <summary>What goes in place of a removed word: null (delete), the token, or a sampled word.</summary>
    public string? Replacement(Random random) => Kind switch
    {
        WordBaselineKind.Remove => null,
        WordBaselineKind.UnknownToken => Token,
        _ => Sampler!.Sample(random),
    };

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        WordBaselineKind.UnknownToken => $"UnknownToken({Token})",
        WordBaselineKind.SampledWord => $"SampledWord({Sampler!.Count} words)",
        _ => "Remove",
    };
}
