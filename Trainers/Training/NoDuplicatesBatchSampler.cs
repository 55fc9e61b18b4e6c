namespace MLNetExt.Trainers.Training;

/// <summary>
/// Keeps rows that share a key out of one batch (sentence-transformers' <c>NoDuplicatesBatchSampler</c>): with in-batch
/// negatives, two rows sharing an anchor, a positive or a caption would each be the other's false negative. Rows are
/// taken greedily in the given order; a row whose key is already in the batch being filled waits for a later batch.
/// </summary>
public static class NoDuplicatesBatchSampler
{
    /// <summary>Batches of at most <paramref name="batchSize"/> row indices, each batch free of duplicate keys; every row appears exactly once.</summary>
    /// <param name="keys">The keys of each row (e.g. its anchor and positive texts, or its caption).</param>
    /// <param name="batchSize">Rows per batch (a batch is cut short when every waiting row clashes with it).</param>
    /// <param name="random">Shuffles the rows first.</param>
    public static IReadOnlyList<int[]> Batches(IReadOnlyList<IReadOnlyList<string>> keys, int batchSize, Random random)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int[] order = Enumerable.Range(0, keys.Count).ToArray();
        random.Shuffle(order);
        return Cut(order, keys, batchSize, topUp: false);
    }

    /// <summary>
    /// Reorders <paramref name="order"/> so that every slice <c>[k * batchSize, (k + 1) * batchSize)</c> is free of duplicate
    /// keys wherever the rows allow it, for a loop that cuts batches of a fixed size. Rows keep their relative order
    /// unless they clash; when no waiting row fits a batch, the batch is topped up with clashing rows (this can only
    /// happen near the end of the epoch, when few rows are left).
    /// </summary>
    /// <param name="order">The rows in their preferred order (each row once).</param>
    /// <param name="keys">The keys of each row, indexed by row.</param>
    /// <param name="batchSize">Rows per batch.</param>
    public static int[] Order(IReadOnlyList<int> order, IReadOnlyList<IReadOnlyList<string>> keys, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return [.. Cut(order, keys, batchSize, topUp: true).SelectMany(b => b)];
    }

    private static List<int[]> Cut(IReadOnlyList<int> order, IReadOnlyList<IReadOnlyList<string>> keys, int batchSize, bool topUp)
    {
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
            while (topUp && batch.Count < batchSize && waiting.First is { } first)
            {
                batch.Add(first.Value);
                waiting.RemoveFirst();
            }
            batches.Add([.. batch]);
        }
        return batches;
    }
}
