namespace MLNetExt.Transforms;

/// <summary>
/// Guards native state that calls on many threads use while its owner may end it: each call enters and leaves the
/// gate, <see cref="Close"/> refuses new calls at once, and the native state is released by whichever comes last, the
/// close or the end of the last call still running. So a dispose never frees memory that a running call reads, and a
/// call after it throws <see cref="ObjectDisposedException"/> instead of ending the process.
/// </summary>
internal sealed class NativeCallGate
{
    private readonly object _lock = new();
    private readonly Action _release;
    private readonly string _objectName;
    private readonly string _message;
    private int _running;
    private bool _closed;
    private bool _released;

    /// <param name="release">Frees the native state; called once, on no particular thread.</param>
    /// <param name="objectName">The type named by <see cref="ObjectDisposedException.ObjectName"/>.</param>
    /// <param name="message">What the exception says after the gate closed.</param>
    public NativeCallGate(Action release, string objectName, string message)
    {
        _release = release;
        _objectName = objectName;
        _message = message;
    }

    /// <summary>Whether <see cref="Close"/> was called.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_lock)
                return _closed;
        }
    }

    /// <summary>Calls running now.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
                return _running;
        }
    }

    /// <summary>Starts a call; dispose the result when the call is over.</summary>
    /// <exception cref="ObjectDisposedException">The gate was closed.</exception>
    public Call Enter()
    {
        lock (_lock)
        {
            if (_closed)
                throw Closed();
            _running++;
        }
        return new Call(this);
    }

    /// <exception cref="ObjectDisposedException">The gate was closed.</exception>
    public void ThrowIfClosed()
    {
        lock (_lock)
        {
            if (_closed)
                throw Closed();
        }
    }

    /// <summary>Refuses new calls; the native state goes now, or when the last running call ends. Idempotent.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            if (!TakeRelease())
                return;
        }
        _release();
    }

    private void Leave()
    {
        lock (_lock)
        {
            _running--;
            if (!TakeRelease())
                return;
        }
        _release();
    }

    private bool TakeRelease()
    {
        if (!_closed || _running > 0 || _released)
            return false;
        _released = true;
        return true;
    }

    private ObjectDisposedException Closed() => new(_objectName, _message);

    /// <summary>One call in progress.</summary>
    public readonly struct Call : IDisposable
    {
        private readonly NativeCallGate? _gate;

        internal Call(NativeCallGate gate) => _gate = gate;

        /// <summary>Ends the call.</summary>
        public void Dispose() => _gate?.Leave();
    }
}
