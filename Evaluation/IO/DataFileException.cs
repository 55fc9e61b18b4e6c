namespace MLNetExt.Evaluation.IO;

/// <summary>
/// Thrown when a data file (qrels, run, jsonl, tsv) holds a line that cannot be read. The message names the file,
/// the 1-based line and, where known, the 1-based column, and says what was expected and what was found.
/// </summary>
public sealed class DataFileException : FormatException
{
    /// <summary>Creates the exception for a location in a file.</summary>
    /// <param name="filePath">The file being read.</param>
    /// <param name="lineNumber">The 1-based line number, or 0 when the problem concerns the whole file.</param>
    /// <param name="column">The 1-based column (field) number, or 0 when not known.</param>
    /// <param name="problem">What is wrong, e.g. "expected 4 fields, got 3".</param>
    public DataFileException(string filePath, int lineNumber, int column, string problem)
        : base(Format(filePath, lineNumber, column, problem))
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file being read.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line number (0: the whole file).</summary>
    public int LineNumber { get; }

    /// <summary>The 1-based column (field) number (0: not known).</summary>
    public int Column { get; }

    /// <summary>The problem, without the location.</summary>
    public string Problem { get; }

    private static string Format(string filePath, int lineNumber, int column, string problem)
    {
        string where = lineNumber <= 0 ? filePath
            : column <= 0 ? $"{filePath}:line {lineNumber}"
            : $"{filePath}:line {lineNumber}, column {column}";
        return $"{where}: {problem}";
    }
}
