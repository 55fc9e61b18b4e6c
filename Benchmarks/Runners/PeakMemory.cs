using System.Diagnostics;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>The process's peak resident memory, resettable on Linux (so one phase of a run can be measured alone).</summary>
internal static class PeakMemory
{
    /// <summary>Resets the high-water mark where the OS allows it (Linux: /proc/self/clear_refs "5").</summary>
    public static void Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try
        {
            if (OperatingSystem.IsLinux())
                File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
            // Older kernels: the mark then covers the whole process.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Peak resident memory in MiB since the last reset (VmHWM on Linux).</summary>
    public static double ReadMb()
    {
        if (OperatingSystem.IsLinux())
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out long kb))
                return kb / 1024.0;
        }
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
