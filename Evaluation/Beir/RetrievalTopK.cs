using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>The top-k heap of every query of a retrieval pass, fed a block of document scores at a time.</summary>
internal sealed class RetrievalTopK
{
    private readonly IReadOnlyList<BeirQuery> _queries;
    private readonly IReadOnlyList<BeirDocument> _corpus;
    private readonly bool _skipIdenticalIds;
    private readonly TopKHeap<int>[] _heaps;

    /// <param name="queries">The queries, in score-row order.</param>
    /// <param name="corpus">The corpus the document indexes point into.</param>
    /// <param name="topK">Documents kept per query.</param>
    /// <param name="skipIdenticalIds">Never keep a document whose id is the query's (BEIR's rule).</param>
    public RetrievalTopK(IReadOnlyList<BeirQuery> queries, IReadOnlyList<BeirDocument> corpus, int topK, bool skipIdenticalIds)
    {
        _queries = queries;
        _corpus = corpus;
        _skipIdenticalIds = skipIdenticalIds;
        _heaps = queries.Select(_ => new TopKHeap<int>(topK, i => corpus[i].Id)).ToArray();
    }

    /// <summary>Offers a block: <c>scores[q * count + b]</c> is query q's score of corpus document <c>documents[b]</c>.</summary>
    public void Offer(float[] scores, IReadOnlyList<int> documents, int count)
    {
        for (int q = 0; q < _queries.Count; q++)
        {
            for (int b = 0; b < count; b++)
            {
                int document = documents[b];
                if (_skipIdenticalIds && string.Equals(_queries[q].Id, _corpus[document].Id, StringComparison.Ordinal))
                    continue;
                _heaps[q].Offer(document, scores[q * count + b]);
            }
        }
    }

    /// <summary>The kept documents of every query, best first.</summary>
    public RankingRun ToRun()
    {
        var run = new RankingRun();
        for (int q = 0; q < _queries.Count; q++)
        {
            run.AddQuery(_queries[q].Id);
            foreach (var (index, score) in _heaps[q].ToSortedList())
                run.Add(_queries[q].Id, _corpus[index].Id, score);
        }
        return run;
    }
}
