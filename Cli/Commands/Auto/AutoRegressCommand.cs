using MLNetExt.Estimators.Pipelines;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary><c>mlnetext auto regress</c>: sweep text regression pipelines within a time budget.</summary>
public sealed class AutoRegressCommand : Command<AutoSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, AutoSettings settings, CancellationToken cancellationToken) =>
        AutoRun.Execute(settings, SweepTask.Regression, cancellationToken);
}
