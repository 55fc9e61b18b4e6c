namespace MLNetExt.Notebooks;

/// <summary>Settings of <see cref="NotebookRunner.RunAsync"/>.</summary>
public sealed class NotebookRunOptions
{
    /// <summary>
    /// Where the notebook's <c>#r "…/Name.dll"</c> references are taken from: each is redirected to the file of the same
    /// name in this folder where there is one, so a test or the CLI runs the notebook against the assemblies it was built
    /// with. Other references, and all when null, keep the notebook's own paths (relative ones are resolved from the
    /// notebook's folder, as VS Code does).
    /// </summary>
    public string? AssemblyFolder { get; set; }

    /// <summary>Write the outputs of this run into the notebook file (atomically) when every cell succeeded. Default false.</summary>
    public bool UpdateOutputs { get; set; }

    /// <summary>Receives each code cell's result as soon as it has run.</summary>
    public IProgress<NotebookCellResult>? Progress { get; set; }
}
