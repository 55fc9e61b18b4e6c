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
        var (applied, problem) = library is not null && OperatingSystem.IsLinux() ? InspectNativeLibrary(library) : (false, null);

        try
        {
            using var scope = torch.NewDisposeScope();
            float sum = torch.ones(2, 2).sum().item<float>();
            if (sum != 4f)
                throw new InvalidOperationException($"libtorch computed ones(2,2).sum() = {sum}, expected 4.");
            return new TorchSharpStatus(managed, torch.__version__, true, null, library, lacks, applied, torch.get_num_threads());
        }
        catch (Exception ex) when (ex is DllNotFoundException or NotSupportedException or TypeInitializationException or InvalidOperationException or EntryPointNotFoundException or BadImageFormatException)
        {
            return new TorchSharpStatus(managed, null, false, ExplainLoadFailure(ex.GetBaseException().Message, library, problem, lacks, applied),
                library, lacks, applied, 0);
        }
    }

    /// <summary>Why libtorch did not load, and the fix, from what was found beside the application.</summary>
    /// <param name="loadError">The loader's message.</param>
    /// <param name="library">The libLibTorchSharp found beside the application, or null.</param>
    /// <param name="problem">What is wrong with that file (unreadable, not a valid library), or null.</param>
    /// <param name="lacksAnchor">Whether the system libstdc++ lacks the version TorchSharp's build asks for.</param>
    /// <param name="anchorWeak">Whether the copy has that need marked weak.</param>
    internal static string ExplainLoadFailure(string loadError, string? library, string? problem, bool lacksAnchor, bool anchorWeak)
    {
        string fix = problem is not null
            ? $"{problem}. Rebuild or reinstall the application so that TorchSharp copies an intact one."
            : library is null
            ? "libLibTorchSharp was not found beside the application: reference TorchSharp-cpu (or a libtorch-* package) " +
              "from the application so that libtorch is copied beside it."
            : lacksAnchor && !anchorWeak
            ? $"The system libstdc++ lacks {ElfVersionNeeds.TorchSharpAnchorVersion} and {library} still requires it: " +
              "rebuild the application with the MLNetExt.Trainers package (its build targets mark that need weak), " +
              "or install a libstdc++ from GCC 13 or newer."
            : $"{library} is present but did not load; the loader's message above says which dependency failed.";
        return $"{loadError} — {fix}";
    }

    /// <summary>
    /// Reads the native library's version needs: whether the libstdc++ anchor is marked weak, or what is wrong with
    /// the file when it cannot be read or is not a valid ELF library.
    /// </summary>
    internal static (bool AnchorWeak, string? Problem) InspectNativeLibrary(string library)
    {
        try
        {
            bool weak = ElfVersionNeeds.Read(File.ReadAllBytes(library))
                .Any(n => n.Version == ElfVersionNeeds.TorchSharpAnchorVersion && n.IsWeak);
            return (weak, null);
        }
        catch (InvalidDataException e)
        {
            return (false, $"{library} is corrupt: it is not a valid ELF shared library ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (false, $"{library} could not be read ({e.Message})");
        }
    }

    private static string? FindNativeLibrary()
    {
        string name = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        // Unreadable subfolders are skipped rather than ending the search: the library may sit in a readable one.
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(AppContext.BaseDirectory, name, options).FirstOrDefault();
    }
}
