using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Infrastructure;

/// <summary>
/// The test assembly's entry point: <c>dotnet MLNetExt.UnitTests.dll &lt;probe&gt; [arguments]</c> runs one probe in
/// a process of its own (see <see cref="ChildProcess"/>), so that a native crash fails the test that started it
/// instead of ending the test run. The test host never calls it.
/// </summary>
internal static class ProbeProgram
{
    private static readonly Dictionary<string, Func<string[], int>> s_probes = new()
    {
        ["engines-per-thread"] = LifetimeProbes.EnginesPerThread,
        ["dispose-while-predicting"] = LifetimeProbes.DisposeWhilePredicting,
        ["pipeline-file-fuzz"] = PipelineFileFuzz.Run,
        ["model-memory"] = ModelMemoryProbe.Run,
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !s_probes.TryGetValue(args[0], out var probe))
        {
            Console.Error.WriteLine($"usage: MLNetExt.UnitTests.dll <{string.Join(" | ", s_probes.Keys)}> [arguments]");
            return 64;
        }
        return probe(args[1..]);
    }

    /// <summary>Runs a probe in a child process and fails the calling test unless it exits with 0.</summary>
    public static string RunChecked(string probe, params string[] arguments)
    {
        (int code, string output) = ChildProcess.Run("MLNetExt.UnitTests.dll", [probe, .. arguments], TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, $"probe {probe} {string.Join(' ', arguments)} exited with {code} (134: abort, 139: segmentation fault):\n{output}");
        return output;
    }
}
