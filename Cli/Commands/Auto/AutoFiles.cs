namespace MLNetExt.Cli.Commands.Auto;

/// <summary>File helpers of the <c>auto</c> and <c>bench tuners</c> commands.</summary>
internal static class AutoFiles
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> through a temporary file and a rename.</summary>
    public static void WriteAllTextAtomic(string path, string text)
    {
        MLNetExt.Transforms.IO.AtomicFile.WriteAllText(path, text);
    }
}
