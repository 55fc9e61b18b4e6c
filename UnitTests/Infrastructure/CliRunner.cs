using MLNetExt.Cli;
using Spectre.Console;

namespace MLNetExt.UnitTests.Infrastructure;

/// <summary>Runs <c>mlnetext</c> in process and captures what it prints.</summary>
public static class CliRunner
{
    /// <summary>Runs the command line (exceptions propagate) and returns its exit code and console output.</summary>
    public static (int Code, string Output) Run(params string[] args)
    {
        // AnsiConsole keeps the writer it was created with, so point it at ours and back again.
        var saved = Console.Out;
        var savedAnsi = AnsiConsole.Console;
        using var writer = new StringWriter();
        Console.SetOut(writer);
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        try
        {
            return (Program.Build().Run(args), writer.ToString());
        }
        finally
        {
            Console.SetOut(saved);
            AnsiConsole.Console = savedAnsi;
        }
    }
}
