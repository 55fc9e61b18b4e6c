using System.Numerics.Tensors;
using Microsoft.Extensions.VectorData;

namespace MLNetExt.AI;

/// <summary>
/// Exact (flat) search over dense vectors held in memory: every stored vector is scored against the query with
/// System.Numerics.Tensors and the best are kept in a bounded heap. For cosine similarity the vectors are scaled to unit
/// length once when stored and the query when searched, so a score is one dot product, as in MLNetExt's DenseRetriever.
/// </summary>
/// <remarks>Not thread-safe; the collection serialises access. Ties are broken by key, the larger first (trec_eval's order for ids).</remarks>
internal sealed class DenseVectorIndex<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, int> _slots = [];
    private readonly List<TKey> _keys = [];
    private readonly List<float[]> _vectors = [];
    private readonly IComparer<TKey> _keyOrder;

    /// <summary>Creates an empty index.</summary>
    /// <exception cref="NotSupportedException">The distance function is not one of the supported four (the message lists them).</exception>
    public DenseVectorIndex(int dimensions, string distanceFunction)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        Dimensions = dimensions;
        DistanceFunction = distanceFunction switch
        {
            Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity or Microsoft.Extensions.VectorData.DistanceFunction.CosineDistance
                or Microsoft.Extensions.VectorData.DistanceFunction.DotProductSimilarity
                or Microsoft.Extensions.VectorData.DistanceFunction.EuclideanDistance => distanceFunction,
            _ => throw new NotSupportedException(
                $"Distance function '{distanceFunction}' is not supported; use CosineSimilarity, CosineDistance, DotProductSimilarity or EuclideanDistance."),
        };
        _keyOrder = typeof(TKey) == typeof(string) ? (IComparer<TKey>)StringComparer.Ordinal : Comparer<TKey>.Default;
    }

    public int Dimensions { get; }

    public string DistanceFunction { get; }

    /// <summary>Whether a higher score is better (similarities) or a lower one (distances).</summary>
    public bool HigherIsBetter => DistanceFunction is Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity
        or Microsoft.Extensions.VectorData.DistanceFunction.DotProductSimilarity;

    private bool Normalizes => DistanceFunction is Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity
        or Microsoft.Extensions.VectorData.DistanceFunction.CosineDistance;

    public int Count => _keys.Count;

    /// <summary>Stores (or replaces) the vector of <paramref name="key"/>.</summary>
    public void Upsert(TKey key, ReadOnlySpan<float> vector)
    {
        float[] stored = Prepare(vector, "stored");
        if (_slots.TryGetValue(key, out int slot))
        {
            _vectors[slot] = stored;
            return;
        }
        _slots[key] = _keys.Count;
        _keys.Add(key);
        _vectors.Add(stored);
    }

    /// <summary>Removes <paramref name="key"/>; false when it was not there.</summary>
    public bool Remove(TKey key)
    {
        if (!_slots.Remove(key, out int slot))
            return false;
        int last = _keys.Count - 1;
        if (slot != last)
        {
            _keys[slot] = _keys[last];
            _vectors[slot] = _vectors[last];
            _slots[_keys[slot]] = slot;
        }
        _keys.RemoveAt(last);
        _vectors.RemoveAt(last);
        return true;
    }

    public void Clear()
    {
        _slots.Clear();
        _keys.Clear();
        _vectors.Clear();
    }

    /// <summary>The <paramref name="count"/> best keys for <paramref name="query"/> among those <paramref name="accept"/> lets through, best first.</summary>
    public List<(TKey Key, double Score)> Search(ReadOnlySpan<float> query, int count, Func<TKey, bool>? accept, double? threshold)
    {
        float[] q = Prepare(query, "query");
        var worstFirst = Comparer<(TKey Key, float Score)>.Create((a, b) => -Compare(a, b));
        var heap = new PriorityQueue<(TKey Key, float Score), (TKey Key, float Score)>(worstFirst);
        for (int slot = 0; slot < _keys.Count; slot++)
        {
            TKey key = _keys[slot];
            float score = Score(q, _vectors[slot]);
            if (threshold is { } limit && (HigherIsBetter ? score < limit : score > limit))
                continue;
            if (accept is not null && !accept(key))
                continue;
            var candidate = (key, score);
            if (heap.Count < count)
                heap.Enqueue(candidate, candidate);
            else if (Compare(candidate, heap.Peek()) < 0)
                heap.DequeueEnqueue(candidate, candidate);
        }
        var best = heap.UnorderedItems.Select(e => e.Element).ToList();
        best.Sort(Compare);
        return best.Select(e => (e.Key, (double)e.Score)).ToList();
    }

    // Negative when a ranks before b: the better score, then the larger key.
    private int Compare((TKey Key, float Score) a, (TKey Key, float Score) b)
    {
        if (a.Score != b.Score)
            return (a.Score > b.Score) == HigherIsBetter ? -1 : 1;
        return _keyOrder.Compare(b.Key, a.Key);
    }

    private float Score(float[] query, float[] vector) => DistanceFunction switch
    {
        Microsoft.Extensions.VectorData.DistanceFunction.CosineDistance => 1 - TensorPrimitives.Dot(query, vector),
        Microsoft.Extensions.VectorData.DistanceFunction.EuclideanDistance => TensorPrimitives.Distance(query, vector),
        _ => TensorPrimitives.Dot(query, vector),
    };

    private float[] Prepare(ReadOnlySpan<float> vector, string what)
    {
        if (vector.Length != Dimensions)
            throw new ArgumentException($"The {what} vector has {vector.Length} dimensions; the collection's vectors have {Dimensions}.", nameof(vector));
        float[] copy = vector.ToArray();
        if (Normalizes)
        {
            float norm = TensorPrimitives.Norm(copy);
            if (norm > 0)
                TensorPrimitives.Divide(copy, norm, copy);
        }
        return copy;
    }
}
