using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Notebooks;

/// <summary>
/// Runs a Polyglot/Jupyter notebook (<c>.ipynb</c>, C# cells) top to bottom in an in-process .NET Interactive C#
/// kernel, as VS Code would: in the notebook's folder, one cell after another, stopping at the first cell that
/// reports an error diagnostic or throws. Optionally writes the run's outputs back into the file.
/// </summary>
/// <remarks>
/// Offline by design: <c>#r "nuget:…"</c> is refused with a message (nothing is downloaded); notebooks reference
/// built assemblies by path. The kernel runs in this process, so the current folder is switched to the notebook's
/// for the run (runs are serialised).
/// </remarks>
public static partial class NotebookRunner
{
    private static readonly SemaphoreSlim s_oneAtATime = new(1, 1);
    internal static KernelInfoCollection Kernels { get; } = CreateKernelInfos();

    /// <summary>Runs every code cell of <paramref name="path"/> in order.</summary>
    /// <param name="path">The <c>.ipynb</c> file.</param>
    /// <param name="options">Assembly folder, output refresh, progress; defaults when null.</param>
    /// <param name="cancellationToken">Stops the run before the next cell (a running cell is asked to stop too).</param>
    /// <returns>The cells run, with their output and errors; check <see cref="NotebookRunResult.Succeeded"/>.</returns>
    /// <exception cref="FileNotFoundException">The notebook does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a notebook (the message names it).</exception>
    public static async Task<NotebookRunResult> RunAsync(string path, NotebookRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new NotebookRunOptions();
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The notebook '{path}' does not exist.", path);
        InteractiveDocument document = Read(path);
        string folder = Path.GetDirectoryName(path)!;

        await s_oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        string previousFolder = Directory.GetCurrentDirectory();
        var total = Stopwatch.StartNew();
        var results = new List<NotebookCellResult>();
        try
        {
            Directory.SetCurrentDirectory(folder);
            using CSharpKernel kernel = new CSharpKernel().UseKernelHelpers();
            int codeCells = 0;
            for (int i = 0; i < document.Elements.Count; i++)
            {
                InteractiveDocumentElement element = document.Elements[i];
                if (!IsCode(element))
                    continue;
                codeCells++;
                if (results.Count > 0 && !results[^1].Succeeded)
                    continue; // counted, not run
                cancellationToken.ThrowIfCancellationRequested();
                (NotebookCellResult cell, List<InteractiveDocumentOutputElement> outputs) =
                    await RunCellAsync(kernel, i + 1, element.Contents, folder, options.AssemblyFolder, cancellationToken).ConfigureAwait(false);
                results.Add(cell);
                element.Outputs.Clear();
                element.Outputs.AddRange(outputs);
                element.ExecutionOrder = results.Count;
                options.Progress?.Report(cell);
            }
            bool succeeded = results.Count == codeCells && results.All(c => c.Succeeded);
            bool update = options.UpdateOutputs && succeeded;
            if (update)
                AtomicFile.WriteStream(path, stream => Notebook.Write(document, stream, Kernels));
            return new NotebookRunResult(path, results, codeCells, total.Elapsed, update);
        }
        finally
        {
            Directory.SetCurrentDirectory(previousFolder);
            s_oneAtATime.Release();
        }
    }

    private static async Task<(NotebookCellResult, List<InteractiveDocumentOutputElement>)> RunCellAsync(CSharpKernel kernel, int cellNumber,
        string source, string folder, string? assemblyFolder, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var errors = new List<string>();
        var outputs = new List<InteractiveDocumentOutputElement>();
        var text = new StringBuilder();
        var allStdout = new StringBuilder();
        var displays = new List<string>();
        string code;
        try
        {
            code = ResolveReferences(source, folder, assemblyFolder);
        }
        catch (NotSupportedException ex)
        {
            errors.Add(ex.Message);
            return (new NotebookCellResult(cellNumber, source, "", "", [], errors, watch.Elapsed), outputs);
        }

        KernelCommandResult result;
        using (cancellationToken.Register(() => kernel.SendAsync(new Cancel())))
            result = await kernel.SendAsync(new SubmitCode(code), cancellationToken).ConfigureAwait(false);
        var stdout = new StringBuilder();
        void FlushStdout()
        {
            if (stdout.Length == 0)
                return;
            outputs.Add(new TextElement(stdout.ToString(), "stdout"));
            stdout.Clear();
        }
        foreach (KernelEvent e in result.Events)
        {
            switch (e)
            {
                case StandardOutputValueProduced output:
                    string value = PlainText(output.FormattedValues);
                    stdout.Append(value);
                    allStdout.Append(value);
                    text.Append(value);
                    break;
                case StandardErrorValueProduced error:
                    text.Append(PlainText(error.FormattedValues));
                    break;
                case DisplayEvent display:
                    // Displayed values (tables, images) and a cell's returned value are stored with every format they have.
                    FlushStdout();
                    outputs.Add(new DisplayElement(display.FormattedValues.ToDictionary(v => v.MimeType, v => (object)v.Value)));
                    // The printed form: plain text where the value has one, else its formats ("[text/html]") rather than markup.
                    text.Append(display.FormattedValues.FirstOrDefault(v => v.MimeType == "text/plain")?.Value
                        ?? $"[{string.Join(", ", display.FormattedValues.Select(v => v.MimeType))}]").Append('\n');
                    displays.AddRange(display.FormattedValues.Select(v => v.MimeType));
                    break;
                case DiagnosticsProduced diagnostics:
                    errors.AddRange(diagnostics.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
                        .Select(d => $"{d.LinePositionSpan.Start.Line + 1},{d.LinePositionSpan.Start.Character + 1}: error {d.Code}: {d.Message}"));
                    break;
                case CommandFailed failed:
                    if (errors.Count == 0 || !failed.Message.Contains(errors[0].Split(": error ")[^1], StringComparison.Ordinal))
                        errors.Add(FirstLines(failed.Message, 6));
                    break;
            }
        }
        FlushStdout();
        if (errors.Count > 0)
            outputs.Add(new ErrorElement("Error", string.Join("\n", errors), []));
        return (new NotebookCellResult(cellNumber, source, allStdout.ToString(), text.ToString(), displays, errors, watch.Elapsed), outputs);
    }

    private static string PlainText(IReadOnlyCollection<FormattedValue> values) =>
        (values.FirstOrDefault(v => v.MimeType == "text/plain") ?? values.FirstOrDefault())?.Value ?? "";

    private static string FirstLines(string message, int count) =>
        string.Join("\n", message.Split('\n').Take(count)).TrimEnd();

    /// <summary>Rewrites <c>#r "file.dll"</c> lines to absolute paths (or into <paramref name="assemblyFolder"/>); refuses NuGet references.</summary>
    internal static string ResolveReferences(string source, string folder, string? assemblyFolder) =>
        ReferenceLine().Replace(source, match =>
        {
            string reference = match.Groups["path"].Value;
            if (reference.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
                throw new NotSupportedException(
                    $"#r \"{reference}\": NuGet references need the network, which notebooks here do not use; reference the built assemblies by path.");
            // Redirected where the assembly folder has a file of that name; otherwise the notebook's own path is used.
            string? redirected = assemblyFolder is not null && reference.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? Path.Combine(assemblyFolder, Path.GetFileName(reference))
                : null;
            string resolved = redirected is not null && File.Exists(redirected) ? redirected : Path.GetFullPath(reference, folder);
            return $"#r \"{resolved}\"";
        });

    private static bool IsCode(InteractiveDocumentElement element) =>
        element.KernelName is "csharp" or "C#" && !string.IsNullOrWhiteSpace(element.Contents);

    private static InteractiveDocument Read(string path)
    {
        try
        {
            return Notebook.Parse(File.ReadAllText(path), Kernels);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a Jupyter notebook (expected .ipynb JSON with C# cells): {ex.Message}", ex);
        }
    }

    private static KernelInfoCollection CreateKernelInfos()
    {
        var kernels = new KernelInfoCollection
        {
            new Microsoft.DotNet.Interactive.Documents.KernelInfo("csharp", "C#", ["c#", "C#"]),
            new Microsoft.DotNet.Interactive.Documents.KernelInfo("markdown", "Markdown", ["md"]),
        };
        kernels.DefaultKernelName = "csharp";
        return kernels;
    }

    [GeneratedRegex("""^#r\s+"(?<path>[^"]+)"\s*$""", RegexOptions.Multiline)]
    private static partial Regex ReferenceLine();
}
