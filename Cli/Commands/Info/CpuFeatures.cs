using System.Runtime.Intrinsics.X86;

namespace MLNetExt.Cli.Commands.Info;

/// <summary>The CPU facts that matter for inference and training speed.</summary>
internal static class CpuFeatures
{
    private static readonly string[] Interesting = { "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8" };

    /// <summary>The SIMD features present, from /proc/cpuinfo where available, else from .NET's intrinsics.</summary>
    public static string Describe()
    {
        string[]? flags = ProcFlags();
        if (flags is not null)
            return string.Join(" ", Interesting.Where(f => flags.Contains(f)));
        var found = new List<string>();
        if (Avx2.IsSupported) found.Add("avx2");
        if (Fma.IsSupported) found.Add("fma");
        if (Avx512F.IsSupported) found.Add("avx512f");
        if (Avx512BW.IsSupported) found.Add("avx512bw");
        return string.Join(" ", found);
    }

    /// <summary>The CPU model name, where the OS says it.</summary>
    public static string? ModelName() => CpuInfoValue("model name");

    private static string[]? ProcFlags() => CpuInfoValue("flags")?.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string? CpuInfoValue(string key)
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path))
            return null;
        foreach (string line in File.ReadLines(path))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == key)
                return line[(colon + 1)..].Trim();
        }
        return null;
    }
}
