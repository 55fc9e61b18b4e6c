using System.Diagnostics;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>The process's peak resident memory, resettable on Linux (so one phase of a run can be measured alone).</summary>
internal static class PeakMemory
{
    /// <summary>The Linux file whose "5" resets the high-water mark (VmHWM).</summary>
    public const string ClearRefsPath = "/proc/self/clear_refs";

    /// <summary>
    /// Resets the high-water mark where the OS allows it (Linux: <paramref name="clearRefsPath"/> "5"). Returns null
    /// when it was reset, else why not: the peak read afterwards then covers the whole process so far.
    /// </summary>
    public static string? Reset(string clearRefsPath = ClearRefsPath)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (!OperatingSystem.IsLinux())
            return "only Linux can reset the peak";
        try
        {
            File.WriteAllText(clearRefsPath, "5");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Older kernels and some containers refuse the write.
            return $"writing {clearRefsPath} failed: {ex.Message}";
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
