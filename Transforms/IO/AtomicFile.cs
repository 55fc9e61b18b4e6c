namespace MLNetExt.Transforms.IO;

/// <summary>
/// Writes files (and folders) through a temporary one next to the target, flushed to disk, and a final rename, so
/// readers never see half a file. The one implementation of this pattern in MLNetExt.
/// </summary>
/// <remarks>
/// Temporary names are <c>&lt;target&gt;.&lt;8 hex digits&gt;.tmp</c>; a process killed mid-write leaves at most such a
/// file behind, never a partial target. Callers that clean up after crashes can delete <c>*.tmp</c> next to their targets.
/// </remarks>
public static class AtomicFile
{
    /// <summary>The suffix of the temporary files and folders written before the final rename.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Writes <paramref name="contents"/> to <paramref name="path"/> atomically (UTF-8, no BOM).</summary>
    public static void WriteAllText(string path, string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(contents));
    }

    /// <summary>Writes bytes to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        WriteStream(path, stream => stream.Write(contents));
    }

    /// <summary>Lets <paramref name="writeTo"/> write a temporary file by its path, then moves it over <paramref name="path"/>.</summary>
    /// <remarks>For APIs that take a file name; <see cref="WriteStream"/> is preferred where a stream will do.</remarks>
    public static void Write(string path, Action<string> writeTo)
    {
        ArgumentNullException.ThrowIfNull(writeTo);
        Replace(path, temp =>
        {
            writeTo(temp);
            using var written = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite);
            written.Flush(flushToDisk: true);
        }, File.Exists, File.Delete, (temp, full) => File.Move(temp, full, overwrite: true));
    }

    /// <summary>Lets <paramref name="write"/> fill a new temporary file, flushes it to disk, then moves it over <paramref name="path"/>.</summary>
    /// <param name="path">The target file; its folder is created if missing.</param>
    /// <param name="write">Writes the contents; the stream is disposed afterwards.</param>
    public static void WriteStream(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Replace(path, temp =>
        {
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            write(stream);
            stream.Flush(flushToDisk: true);
        }, File.Exists, File.Delete, (temp, full) => File.Move(temp, full, overwrite: true));
    }

    /// <summary>
    /// Lets <paramref name="writeTo"/> fill a new temporary folder, flushes its files to disk, then renames it to
    /// <paramref name="path"/>. An existing folder at <paramref name="path"/> is deleted just before the rename.
    /// </summary>
    /// <remarks>
    /// Renaming a folder is atomic, replacing one is not: between the delete and the rename no folder exists at
    /// <paramref name="path"/>. Readers that must never miss it should find it through a file written afterwards with
    /// <see cref="WriteAllText"/> (as training checkpoints do with their <c>latest</c> file).
    /// </remarks>
    public static void WriteDirectory(string path, Action<string> writeTo)
    {
        ArgumentNullException.ThrowIfNull(writeTo);
        Replace(path, temp =>
        {
            Directory.CreateDirectory(temp);
            writeTo(temp);
            foreach (string file in Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories))
            {
                using var written = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
                written.Flush(flushToDisk: true);
            }
        }, Directory.Exists, temp => Directory.Delete(temp, recursive: true), (temp, full) =>
        {
            if (Directory.Exists(full))
                Directory.Delete(full, recursive: true);
            Directory.Move(temp, full);
        });
    }

    private static void Replace(string path, Action<string> writeTemporary, Func<string, bool> exists, Action<string> delete, Action<string, string> move)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
        string temp = full + "." + Guid.NewGuid().ToString("N")[..8] + TemporarySuffix;
        try
        {
            writeTemporary(temp);
            move(temp, full);
        }
        finally
        {
            if (exists(temp))
                delete(temp);
        }
    }
}
