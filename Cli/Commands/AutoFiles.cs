namespace MLNetExt.Cli.Commands;

/// <summary>File helpers of the <c>auto</c> and <c>bench tuners</c> commands.</summary>
internal static class AutoFiles
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> through a temporary file and a rename.</summary>
    public static void WriteAllTextAtomic(string path, string text)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, full, overwrite: true);
    }
}
