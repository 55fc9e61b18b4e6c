using Spectre.Console;

namespace MLNetExt.Cli.Commands;

/// <summary>The pretrained-encoder part of <c>mlnetext info</c>.</summary>
internal static class EncoderReport
{
    public static void Write(bool noMaterialize, List<string> problems, CancellationToken cancellationToken)
    {
        AnsiConsole.MarkupLine("[yellow]Pretrained encoders: not yet reported.[/]");
    }
}
