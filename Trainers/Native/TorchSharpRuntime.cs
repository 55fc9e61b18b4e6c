using System.Reflection;
using TorchSharp;

namespace MLNetExt.Trainers.Native;

/// <summary>What <see cref="TorchSharpRuntime.Probe"/> found out about TorchSharp's native side.</summary>
/// <param name="TorchSharpVersion">Version of the managed TorchSharp assembly.</param>
/// <param name="LibTorchVersion">Version libtorch reports, or null when it did not load.</param>
/// <param name="Loaded">Whether libtorch loaded and ran a tensor operation.</param>
/// <param name="Error">Why it did not load, with the fix, or null.</param>
/// <param name="NativeLibraryPath">The libLibTorchSharp.so beside the application, or null when none was found.</param>
/// <param name="SystemLacksAnchorVersion">Whether the system libstdc++ lacks GLIBCXX_3.4.32 (the fix is needed).</param>
/// <param name="FixApplied">Whether the copy beside the application has that need marked weak.</param>
/// <param name="Threads">libtorch's intra-op thread count, or 0 when it did not load.</param>
public sealed record TorchSharpStatus(
    string TorchSharpVersion,
    string? LibTorchVersion,
    bool Loaded,
    string? Error,
    string? NativeLibraryPath,
    bool SystemLacksAnchorVersion,
    bool FixApplied,
    int Threads);

/// <summary>Checks that TorchSharp's native libraries load on this machine, and whether the libstdc++ fix is in place.</summary>
public static class TorchSharpRuntime
{
    /// <summary>Loads libtorch (once per process), runs one tensor operation, and reports what happened.</summary>
    public static TorchSharpStatus Probe()
    {
        string managed = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = managed.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0) managed = managed[..plus];

        string? library = FindNativeLibrary();
        string? systemLib = OperatingSystem.IsLinux() ? ElfVersionNeeds.FindSystemLibStdCxx() : null;
        bool lacks = systemLib is not null && !ElfVersionNeeds.DefinesVersion(systemLib, ElfVersionNeeds.TorchSharpAnchorVersion);
        bool applied = library is not null && IsAnchorWeak(library);

        try
        {
            using var scope = torch.NewDisposeScope();
            float sum = torch.ones(2, 2).sum().item<float>();
            if (sum != 4f)
                throw new InvalidOperationException($"libtorch computed ones(2,2).sum() = {sum}, expected 4.");
            return new TorchSharpStatus(managed, torch.__version__, true, null, library, lacks, applied, torch.get_num_threads());
        }
        catch (Exception ex) when (ex is DllNotFoundException or NotSupportedException or TypeInitializationException or InvalidOperationException or EntryPointNotFoundException)
        {
            string fix = lacks && !applied
                ? $"The system libstdc++ lacks {ElfVersionNeeds.TorchSharpAnchorVersion} and {library ?? "libLibTorchSharp.so"} still requires it: " +
                  "rebuild the application with the MLNetExt.Trainers package (its build targets mark that need weak), " +
                  "or install a libstdc++ from GCC 13 or newer."
                : "Reference TorchSharp-cpu (or a libtorch-* package) from the application so that libtorch is copied beside it.";
            return new TorchSharpStatus(managed, null, false, $"{ex.GetBaseException().Message} — {fix}", library, lacks, applied, 0);
        }
    }

    private static string? FindNativeLibrary()
    {
        string name = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        try
        {
            return Directory.EnumerateFiles(AppContext.BaseDirectory, name, SearchOption.AllDirectories).FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsAnchorWeak(string library)
    {
        try
        {
            return ElfVersionNeeds.Read(File.ReadAllBytes(library))
                .Any(n => n.Version == ElfVersionNeeds.TorchSharpAnchorVersion && n.IsWeak);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
