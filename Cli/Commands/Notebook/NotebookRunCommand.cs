using System.ComponentModel;
using System.Globalization;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Notebooks;
using MLNetExt.Transforms;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Notebook;

/// <summary>
/// <c>mlnetext notebook run FILE [--update-outputs]</c>: runs a notebook's C# cells in order in an in-process .NET
/// Interactive kernel against the assemblies this tool was built with (<see cref="NotebookRunner"/>), prints each
/// cell's output and time, and fails naming the notebook, the cell and the error.
/// </summary>
public sealed class NotebookRunCommand : AsyncCommand<NotebookRunCommand.Settings>
{
    /// <summary>Options of <c>notebook run</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The .ipynb file.</summary>
        [CommandArgument(0, "<FILE>")]
        [Description("The notebook (.ipynb with C# cells).")]
        public string File { get; init; } = "";

        /// <summary>Write this run's outputs into the notebook when every cell succeeds.</summary>
        [CommandOption("--update-outputs")]
        [Description("Store this run's outputs in the notebook file (only when every cell succeeds).")]
        public bool UpdateOutputs { get; init; }

        /// <summary>Where <c>#r "…/X.dll"</c> references are taken from; the tool's own folder by default.</summary>
        [CommandOption("--assemblies <DIR>")]
        [Description("Folder the notebook's #r \".../X.dll\" references are redirected to (default: this tool's folder).")]
        public string? Assemblies { get; init; }
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Assemblies is not null && !Directory.Exists(settings.Assemblies))
            throw new UsageException($"--assemblies: the folder '{settings.Assemblies}' does not exist.");
        var options = new NotebookRunOptions
        {
            AssemblyFolder = settings.Assemblies ?? AppContext.BaseDirectory,
            UpdateOutputs = settings.UpdateOutputs,
            Progress = new SynchronousProgress<NotebookCellResult>(cell =>
            {
                AnsiConsole.MarkupLine($"[grey]cell {cell.CellNumber} ({cell.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s)[/]");
                if (cell.Output.Length > 0)
                    Console.Write(cell.Output.EndsWith('\n') ? cell.Output : cell.Output + "\n");
            }),
        };
        NotebookRunResult result = await NotebookRunner.RunAsync(settings.File, options, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync($"error: {result.FailureMessage}").ConfigureAwait(false);
            return ErrorPolicy.Failure;
        }
        string seconds = result.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
        AnsiConsole.MarkupLine($"{result.CodeCellCount} cells ran in {seconds} s{(result.OutputsUpdated ? "; outputs stored in the notebook" : "")}.");
        return ErrorPolicy.Success;
    }

}
