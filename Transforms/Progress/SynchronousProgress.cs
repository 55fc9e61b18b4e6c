namespace MLNetExt.Transforms;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler on the reporting thread, in order. <see cref="Progress{T}"/>
/// posts each report to the captured synchronisation context or the thread pool, so reports can arrive late and out of
/// order; progress bars, logs and tests that count reports want them as they happen.
/// </summary>
/// <typeparam name="T">The report type.</typeparam>
/// <param name="handler">Called with every report, on the thread that reports.</param>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    private readonly Action<T> _handler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <inheritdoc />
    public void Report(T value) => _handler(value);
}
