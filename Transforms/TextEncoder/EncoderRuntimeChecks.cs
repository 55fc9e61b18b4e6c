namespace MLNetExt.Transforms;

/// <summary>Checks of the batching and threading options every encoder component has.</summary>
internal static class EncoderRuntimeChecks
{
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range (the message quotes it).</exception>
    public static void Check(int batchSize, int sortWindow, int? intraOpThreads)
    {
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException("BatchSize", batchSize, $"BatchSize must be at least 1; got {batchSize}.");
        if (sortWindow < 1)
            throw new ArgumentOutOfRangeException("SortWindow", sortWindow, $"SortWindow must be at least 1; got {sortWindow}.");
        if (intraOpThreads is < 0)
            throw new ArgumentOutOfRangeException("IntraOpThreads", intraOpThreads, $"IntraOpThreads must be positive; got {intraOpThreads}.");
    }
}
