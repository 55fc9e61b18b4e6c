namespace MLNetExt.Evaluation.IO;

/// <summary>
/// Reads a text file line by line with 1-based line numbers, strips a UTF-8 byte order mark and a trailing
/// carriage return (files written on Windows), and skips nothing else.
/// </summary>
internal static class LineReader
{
    /// <summary>Yields (line number, line) for every line of the file.</summary>
    public static IEnumerable<(int Number, string Text)> ReadLines(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        int number = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            number++;
            if (number == 1 && line.Length > 0 && line[0] == '\uFEFF')
                line = line[1..];
            if (line.EndsWith('\r'))
                line = line[..^1];
            yield return (number, line);
        }
    }

    /// <summary>Splits on tabs only: GLUE and BEIR tsv files have no quoting, and quotes are part of the text.</summary>
    public static string[] SplitTabs(string line) => line.Split('\t');

    /// <summary>Splits on runs of spaces or tabs, as trec_eval reads its input.</summary>
    public static string[] SplitWhitespace(string line) =>
        line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
}
