namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// Samples the process working set on a timer while a trial runs and keeps the highest value (the process-wide
/// peak counter cannot be reset, so a per-trial peak has to be sampled).
/// </summary>
internal sealed class PeakMemorySampler : IDisposable
{
    private readonly Timer _timer;
    private long _peak;

    public PeakMemorySampler(TimeSpan interval)
    {
        _peak = Environment.WorkingSet;
        _timer = new Timer(_ => Sample(), null, interval, interval);
    }

    /// <summary>The highest working set seen so far, in MiB.</summary>
    public double PeakMegabytes
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _peak) / (1024.0 * 1024.0);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        long now = Environment.WorkingSet;
        long seen;
        while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
        {
        }
    }
}
