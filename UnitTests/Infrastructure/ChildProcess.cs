using System.Diagnostics;

namespace MLNetExt.UnitTests.Infrastructure;

/// <summary>
/// <c>dotnet &lt;assembly&gt; ...</c> from the test's output folder, with its output collected: for runs that must be
/// killed, or that may end in a native crash, which would otherwise take the whole test run down.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly System.Text.StringBuilder _output = new();

    private ChildProcess(Process process) => Process = process;

    /// <summary>The running process.</summary>
    public Process Process { get; }

    /// <summary>Standard output and error so far, interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts <paramref name="assembly"/> (a file in the test's output folder) with the arguments and extra environment variables.</summary>
    public static ChildProcess Start(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        var child = new ChildProcess(new Process { StartInfo = start });
        DataReceivedEventHandler collect = (_, e) =>
        {
            lock (child._output)
                child._output.AppendLine(e.Data);
        };
        child.Process.OutputDataReceived += collect;
        child.Process.ErrorDataReceived += collect;
        child.Process.Start();
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs to the end (killed after <paramref name="timeout"/>) and returns the exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string assembly, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using ChildProcess child = Start(assembly, arguments);
        if (!child.Process.WaitForExit(timeout))
        {
            child.Process.Kill();
            child.Process.WaitForExit();
            return (-1, $"killed after {timeout.TotalSeconds:F0} s\n{child.Output}");
        }
        child.Process.WaitForExit();   // drains the output handlers
        return (child.Process.ExitCode, child.Output);
    }

    private static string DotnetHost()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return self;
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    }

    /// <summary>Kills the process if it still runs.</summary>
    public void Dispose()
    {
        if (!Process.HasExited)
            Process.Kill();
        Process.Dispose();
    }
}
