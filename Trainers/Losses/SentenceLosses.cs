namespace MLNetExt.Trainers.Losses;

/// <summary>The sentence-embedding losses by short name, with their reference defaults (for command lines and sweeps).</summary>
public static class SentenceLosses
{
    /// <summary>The names <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnrl", "mnrl-symmetric", "cached-mnrl", "cosent", "cosine", "mirror-bert", "simcse"];

    /// <summary>Creates the named loss with its defaults; <paramref name="miniBatchSize"/> applies to <c>cached-mnrl</c>.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static SentenceEmbeddingLoss Create(string name, int miniBatchSize = 32) => name.ToLowerInvariant() switch
    {
        "mnrl" => new MultipleNegativesRankingLoss(),
        "mnrl-symmetric" => new MultipleNegativesRankingLoss(symmetric: true),
        "cached-mnrl" => new CachedMultipleNegativesRankingLoss(miniBatchSize: miniBatchSize),
        "cosent" => new CoSentLoss(),
        "cosine" => new CosineSimilarityLoss(),
        "mirror-bert" => new MirrorBertLoss(),
        "simcse" => new SimCseLoss(),
        _ => throw new ArgumentException($"Unknown loss '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name)),
    };
}
