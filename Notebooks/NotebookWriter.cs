using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Notebooks;

/// <summary>
/// Writes a new Polyglot/Jupyter notebook (<c>.ipynb</c>, C# kernel by default) without outputs, in the format
/// <see cref="NotebookRunner"/> reads and VS Code opens; <c>mlnetext notebook run FILE --update-outputs</c> fills them in.
/// </summary>
public static class NotebookWriter
{
    /// <summary>Writes <paramref name="cells"/> to <paramref name="path"/> (atomically; an existing file is replaced).</summary>
    /// <param name="path">The <c>.ipynb</c> file.</param>
    /// <param name="cells">The cells in order.</param>
    /// <exception cref="ArgumentException">A cell's kernel is neither "csharp" nor "markdown".</exception>
    public static void Write(string path, IEnumerable<NotebookCell> cells)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(cells);
        var document = new InteractiveDocument();
        foreach (NotebookCell cell in cells)
        {
            if (cell.KernelName is not ("csharp" or "markdown"))
                throw new ArgumentException($"The cell kernel '{cell.KernelName}' is not supported; expected csharp or markdown.", nameof(cells));
            document.Add(new InteractiveDocumentElement(cell.Source, cell.KernelName));
        }
        AtomicFile.WriteStream(Path.GetFullPath(path), stream => Notebook.Write(document, stream, NotebookRunner.Kernels));
    }
}
