namespace MLNetExt.Trainers.Training;

/// <summary>
/// The order in which an epoch visits the training rows: batch <c>k</c> of the epoch is the slice
/// <c>[k * batchSize, (k + 1) * batchSize)</c> of the returned order (the last batch may be shorter).
/// </summary>
/// <remarks>
/// The order is a pure function of its arguments, so a run resumed from a checkpoint visits the rows exactly as an
/// uninterrupted run does. Without length bucketing it is the row indices shuffled by <c>Random(seed + epoch)</c>.
/// With length bucketing (a "sortish" sampler) that shuffled order is cut into windows of
/// <c>bucketBatches * batchSize</c> rows, each window is sorted by token length (ties keep the shuffled order) and cut
/// into batches, and the full batches are then shuffled with the same generator; the one short batch, if any, stays
/// last. Every row still appears once per epoch, and rows of similar length share a batch, so padding shrinks.
/// With row keys (tasks with in-batch negatives), the order is finally passed through
/// <see cref="NoDuplicatesBatchSampler.Order"/>, so rows that share a text do not share a batch.
/// </remarks>
public static class EpochOrder
{
    /// <summary>The rows of <paramref name="epoch"/> in visiting order.</summary>
    /// <param name="rows">Number of training rows.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="epoch">Zero-based epoch.</param>
    /// <param name="lengths">Token length of each row; needed when <paramref name="bucketBatches"/> is positive.</param>
    /// <param name="bucketBatches">Batches per length-sorting window; 0 shuffles without bucketing.</param>
    /// <param name="keys">Keys of each row that must not meet in one batch; null when duplicates do not matter.</param>
    public static int[] Create(int rows, int batchSize, int seed, int epoch, IReadOnlyList<int>? lengths = null, int bucketBatches = 0,
        IReadOnlyList<IReadOnlyList<string>>? keys = null)
    {
        if (keys is not null && keys.Count != rows)
            throw new ArgumentException($"{keys.Count} row keys for {rows} rows.", nameof(keys));
        int[] order = Shuffled(rows, batchSize, seed, epoch, lengths, bucketBatches);
        return keys is null ? order : NoDuplicatesBatchSampler.Order(order, keys, batchSize);
    }

    /// <summary>
    /// The batches of <paramref name="epoch"/> in visiting order. With one training set (<paramref name="sources"/> null)
    /// they are the consecutive slices of <see cref="Create"/>'s order. With several, no batch mixes two sets: each
    /// set's rows (in <see cref="Create"/>'s order without keys, then kept apart by keys within the set) are cut into
    /// batches, and the sets take turns, one batch each (round-robin), a set that has run out leaving the rotation.
    /// </summary>
    /// <param name="rows">Number of training rows.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="epoch">Zero-based epoch.</param>
    /// <param name="lengths">Token length of each row; needed when <paramref name="bucketBatches"/> is positive.</param>
    /// <param name="bucketBatches">Batches per length-sorting window; 0 shuffles without bucketing.</param>
    /// <param name="keys">Keys of each row that must not meet in one batch; null when duplicates do not matter.</param>
    /// <param name="sources">The training set (0, 1, ...) of each row; null for a single set.</param>
    public static IReadOnlyList<int[]> Batches(int rows, int batchSize, int seed, int epoch, IReadOnlyList<int>? lengths = null, int bucketBatches = 0,
        IReadOnlyList<IReadOnlyList<string>>? keys = null, IReadOnlyList<int>? sources = null)
    {
        if (sources is null)
        {
            int[] order = Create(rows, batchSize, seed, epoch, lengths, bucketBatches, keys);
            return [.. order.Chunk(batchSize)];
        }
        if (sources.Count != rows)
            throw new ArgumentException($"{sources.Count} row sources for {rows} rows.", nameof(sources));
        if (keys is not null && keys.Count != rows)
            throw new ArgumentException($"{keys.Count} row keys for {rows} rows.", nameof(keys));
        int[] shuffled = Shuffled(rows, batchSize, seed, epoch, lengths, bucketBatches);
        List<int[]>[] perSource = [.. shuffled.GroupBy(r => sources[r]).OrderBy(g => g.Key)
            .Select(g => keys is null ? g.ToArray() : NoDuplicatesBatchSampler.Order([.. g], keys, batchSize))
            .Select(order => order.Chunk(batchSize).ToList())];
        var batches = new List<int[]>();
        for (int turn = 0; batches.Count < perSource.Sum(b => b.Count); turn++)
            foreach (List<int[]> source in perSource)
                if (turn < source.Count)
                    batches.Add(source[turn]);
        return batches;
    }

    /// <summary>Number of batches per epoch: <see cref="Batches"/> returns this many every epoch.</summary>
    /// <param name="rows">Number of training rows.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="sources">The training set of each row; null for a single set.</param>
    public static int BatchesPerEpoch(int rows, int batchSize, IReadOnlyList<int>? sources = null) =>
        sources is null ? (rows + batchSize - 1) / batchSize : sources.GroupBy(s => s).Sum(g => (g.Count() + batchSize - 1) / batchSize);

    private static int[] Shuffled(int rows, int batchSize, int seed, int epoch, IReadOnlyList<int>? lengths, int bucketBatches)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(bucketBatches);
        var random = new Random(unchecked(seed + epoch));
        int[] order = Enumerable.Range(0, rows).ToArray();
        random.Shuffle(order);
        if (bucketBatches == 0)
            return order;
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Count != rows)
            throw new ArgumentException($"{lengths.Count} row lengths for {rows} rows.", nameof(lengths));

        long window = (long)bucketBatches * batchSize;
        for (int start = 0; start < rows; start += (int)Math.Min(window, rows - start))
        {
            int count = (int)Math.Min(window, rows - start);
            // Sort by (length, position in the shuffled order): a total order, so the result does not depend on the sort algorithm.
            int[] keys = new int[count];
            long[] sortKeys = new long[count];
            for (int i = 0; i < count; i++)
            {
                keys[i] = order[start + i];
                sortKeys[i] = ((long)lengths[keys[i]] << 32) | (uint)i;
            }
            Array.Sort(sortKeys, keys);
            keys.CopyTo(order, start);
        }

        int fullBatches = rows / batchSize;
        int[] batchOrder = Enumerable.Range(0, fullBatches).ToArray();
        random.Shuffle(batchOrder);
        int[] result = new int[rows];
        for (int b = 0; b < fullBatches; b++)
            Array.Copy(order, batchOrder[b] * batchSize, result, b * batchSize, batchSize);
        Array.Copy(order, fullBatches * batchSize, result, fullBatches * batchSize, rows - fullBatches * batchSize);
        return result;
    }
}
