namespace MLNetExt.Cli.Infrastructure;

/// <summary>Runs a long verb so that Ctrl+C cancels its token (the library then stops and reports what it finished) instead of killing the process.</summary>
internal static class CtrlC
{
    public static int Cancels(CancellationToken cancellationToken, Func<CancellationToken, int> run)
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            return run(interrupt.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }
}
