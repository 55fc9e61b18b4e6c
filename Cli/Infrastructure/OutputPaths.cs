namespace MLNetExt.Cli.Infrastructure;

/// <summary>
/// Checks, before any work starts, that the files and folders a verb will write can be written, so that a bad
/// <c>--json</c> or <c>--out</c> fails in a second with the user's path named instead of after minutes of computing.
/// Nothing is left behind: the check writes and deletes a probe file in the nearest existing folder.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Throws <see cref="UsageException"/> unless a file can be written at <paramref name="path"/> (null: nothing to check).</summary>
    /// <param name="path">The user's path.</param>
    /// <param name="option">The option that named it, e.g. <c>--json</c>.</param>
    public static void RequireWritableFile(string? path, string option)
    {
        if (path is null)
            return;
        if (path.Length == 0 || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar))
            throw new UsageException($"{option} '{path}': expected a file name.");
        if (Directory.Exists(path))
            throw new UsageException($"{option} '{path}' is a folder; give a file name.");
        RequireWritableFolderAbove(path, option, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Throws <see cref="UsageException"/> unless a folder can be created or written at <paramref name="path"/> (null: nothing to check).</summary>
    public static void RequireWritableFolder(string? path, string option)
    {
        if (path is null)
            return;
        if (path.Length == 0)
            throw new UsageException($"{option}: expected a folder.");
        if (File.Exists(path))
            throw new UsageException($"{option} '{path}' is a file; give a folder.");
        RequireWritableFolderAbove(path, option, Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));
    }

    private static void RequireWritableFolderAbove(string path, string option, string folder)
    {
        // The nearest part of the path that exists decides: a file there means no folder can be made below it.
        string? existing = folder;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
                throw new UsageException($"{option} '{path}': '{existing}' is a file, not a folder.");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null)
            throw new UsageException($"{option} '{path}': no part of the path exists.");
        string probe = Path.Combine(existing, $".mlnetext-write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} '{path}': cannot write in '{existing}' ({(ex is UnauthorizedAccessException ? "permission denied" : ex.Message)}).");
        }
    }
}
