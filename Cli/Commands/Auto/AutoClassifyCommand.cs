using MLNetExt.Estimators.Pipelines;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary><c>mlnetext auto classify</c>: sweep text classification pipelines within a time budget.</summary>
public sealed class AutoClassifyCommand : Command<AutoSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, AutoSettings settings, CancellationToken cancellationToken) =>
        AutoRun.Execute(settings, SweepTask.Classification, cancellationToken);
}
