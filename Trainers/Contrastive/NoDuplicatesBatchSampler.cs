namespace MLNetExt.Trainers.Contrastive;

/// <summary>
/// Cuts shuffled rows into batches in which no key occurs twice (sentence-transformers' <c>NoDuplicatesBatchSampler</c>):
/// with in-batch negatives, two rows sharing an anchor, a positive or a caption would each be the other's false
/// negative. A row whose key is already in the batch being filled waits for a later batch.
/// </summary>
public static class NoDuplicatesBatchSampler
{
    /// <summary>Batches of at most <paramref name="batchSize"/> row indices, each batch free of duplicate keys; every row appears exactly once.</summary>
    /// <param name="keys">The keys of each row (e.g. its anchor and positive texts, or its caption).</param>
    /// <param name="batchSize">Rows per batch (the last batches may be smaller).</param>
    /// <param name="random">Shuffles the rows first.</param>
    public static IReadOnlyList<int[]> Batches(IReadOnlyList<IReadOnlyList<string>> keys, int batchSize, Random random)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int[] order = Enumerable.Range(0, keys.Count).ToArray();
        random.Shuffle(order);
        var waiting = new LinkedList<int>(order);
        var batches = new List<int[]>();
        while (waiting.Count > 0)
        {
            var batch = new List<int>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (LinkedListNode<int>? node = waiting.First; node is not null && batch.Count < batchSize;)
            {
                LinkedListNode<int>? next = node.Next;
                IReadOnlyList<string> rowKeys = keys[node.Value];
                if (!rowKeys.Any(seen.Contains))
                {
                    batch.Add(node.Value);
                    foreach (string key in rowKeys)
                        seen.Add(key);
                    waiting.Remove(node);
                }
                node = next;
            }
            batches.Add([.. batch]);
        }
        return batches;
    }
}
