namespace MLNetExt.Notebooks;

/// <summary>What one code cell did.</summary>
/// <param name="CellNumber">The cell's position in the notebook, 1-based, markdown cells counted (as an editor numbers them).</param>
/// <param name="Source">The code as written in the notebook.</param>
/// <param name="StandardOutput">What the cell wrote to standard output.</param>
/// <param name="Output">Standard output and the plain-text form of displayed and returned values, in order (a value
/// without a plain-text form shows as its formats, e.g. "[text/html]").</param>
/// <param name="DisplayedFormats">The formats (MIME types) of every value the cell displayed or returned.</param>
/// <param name="Errors">Error diagnostics and the failure message; empty when the cell succeeded.</param>
/// <param name="Elapsed">Wall time of the cell.</param>
public sealed record NotebookCellResult(int CellNumber, string Source, string StandardOutput, string Output, IReadOnlyList<string> DisplayedFormats,
    IReadOnlyList<string> Errors, TimeSpan Elapsed)
{
    /// <summary>Whether the cell ran without an error diagnostic or exception.</summary>
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>The run of a whole notebook: its code cells up to the first failure.</summary>
/// <param name="Path">The notebook file.</param>
/// <param name="Cells">The cells that ran, in order; a failed cell is the last.</param>
/// <param name="CodeCellCount">Code cells in the notebook (more than <see cref="Cells"/> when one failed).</param>
/// <param name="Elapsed">Wall time of the run, kernel start included.</param>
/// <param name="OutputsUpdated">Whether the notebook file was rewritten with this run's outputs.</param>
public sealed record NotebookRunResult(string Path, IReadOnlyList<NotebookCellResult> Cells, int CodeCellCount, TimeSpan Elapsed, bool OutputsUpdated)
{
    /// <summary>Whether every code cell ran and succeeded.</summary>
    public bool Succeeded => Cells.Count == CodeCellCount && Cells.All(c => c.Succeeded);

    /// <summary>The failed cell, or null.</summary>
    public NotebookCellResult? Failure => Cells.FirstOrDefault(c => !c.Succeeded);

    /// <summary>Every cell's output, joined.</summary>
    public string Output => string.Concat(Cells.Select(c => c.Output));

    /// <summary>"notebook.ipynb, cell 4: error CS0103: …", or null when the run succeeded.</summary>
    public string? FailureMessage => Failure is { } cell
        ? $"{System.IO.Path.GetFileName(Path)}, cell {cell.CellNumber}: {string.Join(Environment.NewLine, cell.Errors)}"
        : null;
}
