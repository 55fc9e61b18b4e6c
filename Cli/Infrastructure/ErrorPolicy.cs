using Spectre.Console.Cli;

namespace MLNetExt.Cli.Infrastructure;

/// <summary>
/// The one error policy of every verb. Exit codes: 0 success, 1 the work failed, 2 bad usage or input, 130 cancelled.
/// Errors are one line on standard error (<c>error: ...</c>); MLNETEXT_DEBUG=1 adds the stack trace.
/// </summary>
internal static class ErrorPolicy
{
    /// <summary>The work succeeded.</summary>
    public const int Success = 0;

    /// <summary>The work failed (a native library, a model that would not run, an I/O error while writing).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage or input: an unknown option, a bad value, a missing or malformed file, an unwritable output path.</summary>
    public const int BadUsageOrInput = 2;

    /// <summary>Cancelled (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;

    /// <summary>The exit code for <paramref name="exception"/>.</summary>
    public static int ExitCode(Exception exception) => exception switch
    {
        OperationCanceledException => Cancelled,
        UsageException or CommandParseException or CommandRuntimeException or CommandConfigurationException => BadUsageOrInput,
        ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or FormatException => BadUsageOrInput,
        _ => Failure,
    };

    /// <summary>Writes the error line for <paramref name="exception"/> to <paramref name="error"/> and returns its exit code.</summary>
    public static int Report(Exception exception, TextWriter error)
    {
        int code = ExitCode(exception);
        if (code == Cancelled)
            error.WriteLine("Cancelled.");
        else if (Environment.GetEnvironmentVariable("MLNETEXT_DEBUG") == "1")
            error.WriteLine($"error: {exception}");
        else
            error.WriteLine($"error: {Message(exception)}");
        return code;
    }

    /// <summary>The message a user reads: without .NET's parameter and actual-value suffixes.</summary>
    public static string Message(Exception exception)
    {
        string message = exception.Message;
        if (exception is ArgumentOutOfRangeException { ActualValue: not null } range)
            message = message.Replace(Environment.NewLine + $"Actual value was {range.ActualValue}.", "", StringComparison.Ordinal);
        if (exception is ArgumentException { ParamName: not null } argument)
            message = message.Replace($" (Parameter '{argument.ParamName}')", "", StringComparison.Ordinal);
        return message.Trim();
    }
}
