using MLNetExt.Cli;
using Spectre.Console;

namespace MLNetExt.UnitTests.Infrastructure;

/// <summary>What one in-process run of <c>mlnetext</c> did: its exit code, standard output and standard error.</summary>
public sealed record CliResult(int Code, string Output, string Error);

/// <summary>Runs <c>mlnetext</c> in process, under the tool's error policy (as <c>Main</c> does), and captures what it prints.</summary>
public static class CliRunner
{
    /// <summary>Runs the command line and returns its exit code and standard output (errors: <see cref="RunCaptured"/>).</summary>
    public static (int Code, string Output) Run(params string[] args)
    {
        CliResult result = RunCaptured(args);
        return (result.Code, result.Output);
    }

    /// <summary>Runs the command line and returns its exit code, standard output and standard error apart.</summary>
    public static CliResult RunCaptured(params string[] args)
    {
        // AnsiConsole keeps the writer it was created with, so point it at ours and back again.
        var saved = Console.Out;
        var savedError = Console.Error;
        var savedAnsi = AnsiConsole.Console;
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        try
        {
            int code = Program.Run(args, error);
            return new CliResult(code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(saved);
            Console.SetError(savedError);
            AnsiConsole.Console = savedAnsi;
        }
    }
}
