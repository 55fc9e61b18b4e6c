namespace MLNetExt.Evaluation.Ranking;

/// <summary>
/// Keeps the k best (item, score) pairs seen so far in O(k) memory, best meaning trec_eval's order: higher score,
/// then the larger id as an ordinal string. The root of the underlying min-heap is the current worst kept item.
/// </summary>
/// <typeparam name="T">The item, typically a document index.</typeparam>
public sealed class TopKHeap<T>
{
    private readonly PriorityQueue<(T Item, float Score), (T Item, float Score)> _heap;
    private readonly Func<T, string> _idOf;

    /// <summary>Creates an empty heap.</summary>
    /// <param name="k">How many to keep (positive).</param>
    /// <param name="idOf">The id of an item, used to break score ties as trec_eval does.</param>
    public TopKHeap(int k, Func<T, string> idOf)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        K = k;
        _idOf = idOf ?? throw new ArgumentNullException(nameof(idOf));
        // Min-heap on "goodness": the comparer says a < b when a ranks after b.
        _heap = new PriorityQueue<(T, float), (T, float)>(k + 1,
            Comparer<(T Item, float Score)>.Create((a, b) => -TrecOrder.Compare(_idOf(a.Item), a.Score, _idOf(b.Item), b.Score)));
    }

    /// <summary>The capacity.</summary>
    public int K { get; }

    /// <summary>Items kept.</summary>
    public int Count => _heap.Count;

    /// <summary>Offers a candidate; it is kept if fewer than k are held or it ranks before the current worst.</summary>
    public void Offer(T item, float score)
    {
        if (_heap.Count < K)
        {
            _heap.Enqueue((item, score), (item, score));
            return;
        }
        var worst = _heap.Peek();
        if (score < worst.Score)
            return; // fast path: strictly worse
        if (TrecOrder.Compare(_idOf(item), score, _idOf(worst.Item), worst.Score) < 0)
            _heap.DequeueEnqueue((item, score), (item, score));
    }

    /// <summary>The kept items, best first.</summary>
    public List<(T Item, float Score)> ToSortedList()
    {
        var list = _heap.UnorderedItems.Select(e => e.Element).ToList();
        list.Sort((a, b) => TrecOrder.Compare(_idOf(a.Item), a.Score, _idOf(b.Item), b.Score));
        return list;
    }
}
