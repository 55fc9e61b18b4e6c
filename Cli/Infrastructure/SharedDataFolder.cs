namespace MLNetExt.Repository;

/// <summary>
/// Finds the folder of benchmark datasets (<c>scifact/</c>, <c>stsb/</c>, <c>sst2/</c>, ...) that lives in
/// <c>shared/data</c> beside a checkout of the repository: first the <see cref="EnvironmentVariable"/>, then a
/// <c>shared/data</c> folder in the start folder or any folder above it.
/// </summary>
internal static class SharedDataFolder
{
    /// <summary>Environment variable naming the data folder directly; it wins over the search when it names an existing folder.</summary>
    public const string EnvironmentVariable = "MLNETEXT_SHARED_DATA";

    /// <summary>
    /// The data folder: <see cref="EnvironmentVariable"/> when it names an existing folder, else the first
    /// <c>shared/data</c> found walking up from each start folder in turn; null when there is none.
    /// </summary>
    /// <param name="startFolders">Where the upward search begins (e.g. the current folder, <see cref="AppContext.BaseDirectory"/>).</param>
    public static string? Find(params string[] startFolders)
    {
        ArgumentNullException.ThrowIfNull(startFolders);
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment))
            return Path.GetFullPath(fromEnvironment);

        foreach (string start in startFolders)
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                string candidate = Path.Combine(folder.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// The data folder as <see cref="Find"/> locates it from <paramref name="startFolders"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No data folder was found; the message says where the search looked.</exception>
    public static string Require(params string[] startFolders) =>
        Find(startFolders) ?? throw new DirectoryNotFoundException(
            $"No shared/data folder found above {string.Join(" or ", startFolders.Select(s => $"'{s}'"))}, and {EnvironmentVariable} is not set " +
            "to an existing folder. Place the shared/ folder beside the repository or set the variable.");
}
