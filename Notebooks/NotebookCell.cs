namespace MLNetExt.Notebooks;

/// <summary>A cell of a notebook to write with <see cref="NotebookWriter"/>: C# code or markdown text.</summary>
/// <param name="KernelName">"csharp" or "markdown".</param>
/// <param name="Source">The cell's text.</param>
public sealed record NotebookCell(string KernelName, string Source)
{
    /// <summary>A C# code cell.</summary>
    public static NotebookCell CSharp(string code) => new("csharp", code ?? throw new ArgumentNullException(nameof(code)));

    /// <summary>A markdown cell.</summary>
    public static NotebookCell Markdown(string text) => new("markdown", text ?? throw new ArgumentNullException(nameof(text)));
}
