using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands;

/// <summary><c>mlnetext info</c>: what this installation has and whether it works.</summary>
public sealed class InfoCommand : Command<InfoCommand.Settings>
{
    /// <summary>Options of <c>info</c>.</summary>
    public sealed class Settings : CommandSettings
    {
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        return 0;
    }
}
