namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// Draws replacement words from the unigram distribution of a corpus (the words of the data the transform is fitted
/// on). It stands in for a masked-language-model predictor, which no offline model provides: a replacement is a
/// plausible word of the domain, but it ignores the context it is put into.
/// </summary>
public sealed class UnigramWordSampler
{
    private readonly string[] _words;
    private readonly double[] _cumulative;

    private UnigramWordSampler(string[] words, long[] counts)
    {
        _words = words;
        Counts = counts;
        _cumulative = new double[words.Length];
        double total = 0;
        for (int i = 0; i < words.Length; i++)
        {
            total += counts[i];
            _cumulative[i] = total;
        }
    }

    /// <summary>Counts the words (as <see cref="TextInstance"/> splits them) of <paramref name="texts"/>.</summary>
    /// <param name="texts">The corpus.</param>
    /// <param name="minCount">Words seen fewer times are left out.</param>
    /// <exception cref="ArgumentException">No word occurs at least <paramref name="minCount"/> times.</exception>
    public static UnigramWordSampler FromTexts(IEnumerable<string?> texts, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string? text in texts)
        {
            foreach (string word in TextInstance.Create(text).Words)
                counts[word] = counts.GetValueOrDefault(word) + 1;
        }
        return FromCounts(counts.Where(c => c.Value >= minCount).Select(c => (c.Key, c.Value)));
    }

    /// <summary>A sampler over the given words and counts (as saved by <see cref="Words"/> and <see cref="Counts"/>).</summary>
    /// <exception cref="ArgumentException">No words, or a count below 1.</exception>
    public static UnigramWordSampler FromCounts(IEnumerable<(string Word, long Count)> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        (string Word, long Count)[] sorted = counts.OrderBy(c => c.Word, StringComparer.Ordinal).ToArray();
        if (sorted.Length == 0)
            throw new ArgumentException("The word sampler needs at least one word; the corpus has none.", nameof(counts));
        if (sorted.FirstOrDefault(c => c.Count < 1) is { Word: not null } bad)
            throw new ArgumentException($"The word '{bad.Word}' has count {bad.Count}; counts must be at least 1.", nameof(counts));
        return new UnigramWordSampler(sorted.Select(c => c.Word).ToArray(), sorted.Select(c => c.Count).ToArray());
    }

    /// <summary>The distinct words, in ordinal order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>How often each of <see cref="Words"/> occurred.</summary>
    public IReadOnlyList<long> Counts { get; }

    /// <summary>Number of distinct words.</summary>
    public int Count => _words.Length;

    /// <summary>A word drawn with probability proportional to its count.</summary>
    public string Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u = random.NextDouble() * _cumulative[^1];
        int index = Array.BinarySearch(_cumulative, u);
        index = index < 0 ? ~index : index + 1;
        return _words[Math.Min(index, _words.Length - 1)];
    }
}
