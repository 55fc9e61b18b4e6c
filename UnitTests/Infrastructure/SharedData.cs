using MLNetExt.Repository;

namespace MLNetExt.UnitTests.Infrastructure;

/// <summary>
/// Locates the real benchmark data in <c>../shared/data/&lt;name&gt;</c> next to the repository. Tests that need a
/// dataset call <see cref="Require"/>; where the folder is absent the test ends inconclusive with a message saying
/// where it looked, instead of failing (CI has the folder, so there the tests run).
/// </summary>
public static class SharedData
{
    /// <summary>Environment variable that overrides the data root (a folder holding <c>scifact/</c>, <c>stsb/</c>, ...).</summary>
    public const string RootVariable = SharedDataFolder.EnvironmentVariable;

    /// <summary>The data root, or null when it cannot be found.</summary>
    public static string? Root => FindRoot();

    /// <summary>Returns the full path of <c>shared/data/<paramref name="name"/></c>, or marks the test inconclusive.</summary>
    public static string Require(string name)
    {
        string? root = FindRoot();
        string? path = root is null ? null : Path.Combine(root, name);
        if (path is null || !(Directory.Exists(path) || File.Exists(path)))
        {
            Assert.Inconclusive(
                $"Shared data '{name}' not found (looked in {(root ?? "../shared/data above " + AppContext.BaseDirectory)}). " +
                $"Place the shared/ folder beside the repository or set {RootVariable}.");
        }
        return path!;
    }

    /// <summary>Returns the full path of a file inside a dataset folder, or marks the test inconclusive.</summary>
    public static string RequireFile(string name, string file)
    {
        string path = Path.Combine(Require(name), file);
        if (!File.Exists(path))
            Assert.Inconclusive($"Shared data file '{path}' not found.");
        return path;
    }

    // The same search as the CLI and the samples, started from the test binaries (repo/UnitTests/bin/... is below repo/../shared/data).
    private static string? FindRoot() => SharedDataFolder.Find(AppContext.BaseDirectory);
}
