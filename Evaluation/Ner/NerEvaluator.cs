namespace MLNetExt.Evaluation.Ner;

/// <summary>
/// Entity-level evaluation of predicted tags against gold tags, as conlleval and seqeval compute it: an entity is
/// correct when a predicted entity has the same type and the same first and last word as a gold one (exact span),
/// with WNUT 2017's surface-form F1 besides (as its <c>wnuteval.py</c> counts it: distinct (type, text) pairs among the
/// gold entities, the predicted ones, and the correctly predicted ones).
/// </summary>
/// <remarks>
/// <see cref="EntityDecoding.Strict"/> (the default) reproduces seqeval's <c>mode="strict"</c>;
/// <see cref="EntityDecoding.Conlleval"/> reproduces conlleval, which also turns ill-formed runs (an <c>I-</c>
/// without its <c>B-</c>) into entities. Surface forms are entity texts joined by single spaces, compared exactly.
/// </remarks>
public static class NerEvaluator
{
    /// <summary>Measures of predicted tags against the gold sentences.</summary>
    /// <param name="gold">Gold sentences (words and tags).</param>
    /// <param name="predicted">Predicted tags, one list per gold sentence, one tag per word.</param>
    /// <param name="scheme">The tagging scheme of both.</param>
    /// <param name="decoding">How tags become entities.</param>
    /// <exception cref="ArgumentException">Sentence or word counts differ; the message names the sentence.</exception>
    /// <exception cref="FormatException">A tag is not a tag of <paramref name="scheme"/>.</exception>
    public static NerResult Evaluate(IReadOnlyList<ConllSentence> gold, IReadOnlyList<IReadOnlyList<string>> predicted,
        TaggingScheme scheme = TaggingScheme.Bio, EntityDecoding decoding = EntityDecoding.Strict)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"{gold.Count} gold sentences but {predicted.Count} predicted.", nameof(predicted));
        var counts = new SortedDictionary<string, int[]>(StringComparer.Ordinal); // type -> gold, predicted, correct
        var goldSurface = new HashSet<(string, string)>();
        var predictedSurface = new HashSet<(string, string)>();
        var correctSurface = new HashSet<(string, string)>();
        int words = 0, sameTags = 0;
        int[] Count(string type) => counts.TryGetValue(type, out int[]? c) ? c : counts[type] = new int[3];

        for (int s = 0; s < gold.Count; s++)
        {
            ConllSentence sentence = gold[s];
            IReadOnlyList<string> tags = predicted[s] ?? throw new ArgumentNullException(nameof(predicted), $"Predicted sentence {s} is null.");
            if (tags.Count != sentence.Tags.Count)
            {
                throw new ArgumentException($"Sentence {s}{(sentence.Line > 0 ? $" (line {sentence.Line})" : "")} has {sentence.Tags.Count} words " +
                    $"but {tags.Count} predicted tags.", nameof(predicted));
            }
            words += tags.Count;
            for (int w = 0; w < tags.Count; w++)
                sameTags += tags[w] == sentence.Tags[w] ? 1 : 0;
            List<EntitySpan> expected = EntityTags.Decode(sentence.Tags, sentence.Words, scheme, decoding);
            List<EntitySpan> found = EntityTags.Decode(tags, sentence.Words, scheme, decoding);
            var expectedSet = expected.ToHashSet();
            foreach (EntitySpan e in expected)
            {
                Count(e.Type)[0]++;
                goldSurface.Add((e.Type, e.Text));
            }
            foreach (EntitySpan e in found)
            {
                int[] c = Count(e.Type);
                c[1]++;
                if (expectedSet.Contains(e))
                {
                    c[2]++;
                    correctSurface.Add((e.Type, e.Text));
                }
                predictedSurface.Add((e.Type, e.Text));
            }
        }

        var perType = counts.ToDictionary(p => p.Key, p => new EntityScores(p.Value[0], p.Value[1], p.Value[2]), StringComparer.Ordinal);
        var micro = new EntityScores(perType.Values.Sum(c => c.Gold), perType.Values.Sum(c => c.Predicted), perType.Values.Sum(c => c.Correct));
        var surface = new EntityScores(goldSurface.Count, predictedSurface.Count, correctSurface.Count);
        return new NerResult(gold.Count, words, scheme, decoding, perType, micro, surface, words == 0 ? 0 : (double)sameTags / words);
    }
}
