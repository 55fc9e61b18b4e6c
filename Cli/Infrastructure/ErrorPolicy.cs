using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Infrastructure;

/// <summary>
/// The one error policy of every verb. Exit codes: 0 success, 1 the work failed, 2 bad usage or input, 130 cancelled.
/// Errors are one line on standard error (<c>error: ...</c>); MLNETEXT_DEBUG=1 adds the stack trace.
/// </summary>
internal static partial class ErrorPolicy
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
    /// <param name="exception">What went wrong.</param>
    /// <param name="args">The command line, to name the option whose value could not be converted.</param>
    /// <param name="error">Standard error.</param>
    public static int Report(Exception exception, IReadOnlyList<string> args, TextWriter error)
    {
        int code = ExitCode(exception);
        if (code == Cancelled)
            error.WriteLine("Cancelled.");
        else if (Environment.GetEnvironmentVariable("MLNETEXT_DEBUG") == "1")
            error.WriteLine($"error: {exception}");
        else
            error.WriteLine($"error: {Message(exception, args)}");
        return code;
    }

    /// <summary>The message a user reads: the option named, without .NET's parameter and actual-value suffixes.</summary>
    public static string Message(Exception exception, IReadOnlyList<string> args)
    {
        if (exception is CommandRuntimeException && ConversionFailure().Match(exception.Message) is { Success: true } failed)
            return ConversionMessage(failed.Groups[1].Value, failed.Groups[2].Value, args);
        string message = exception.Message;
        if (exception is ArgumentOutOfRangeException { ActualValue: not null } range)
            message = message.Replace(Environment.NewLine + $"Actual value was {range.ActualValue}.", "", StringComparison.Ordinal);
        if (exception is ArgumentException { ParamName: not null } argument)
            message = message.Replace($" (Parameter '{argument.ParamName}')", "", StringComparison.Ordinal);
        return message.Trim();
    }

    // Spectre.Console.Cli says "Failed to convert 'two' to Int32." (or "to Nullable`1." for an optional number) without the
    // option: find it on the command line.
    [GeneratedRegex(@"^Failed to convert '(.*)' to ([\w`]+)\.$", RegexOptions.Singleline)]
    private static partial Regex ConversionFailure();

    private static string ConversionMessage(string value, string type, IReadOnlyList<string> args)
    {
        string expected = type switch
        {
            "Int32" or "Int64" or "Int16" or "UInt32" or "UInt64" => "a whole number",
            "Double" or "Single" or "Decimal" or "Nullable`1" => "a number",
            "Boolean" => "true or false",
            _ => $"a value of type {type}",
        };
        string? option = null;
        for (int i = 0; i < args.Count && option is null; i++)
        {
            if (args[i].StartsWith('-') && args[i].EndsWith("=" + value, StringComparison.Ordinal))
                option = args[i][..args[i].IndexOf('=', StringComparison.Ordinal)];
            else if (i > 0 && args[i] == value && args[i - 1].StartsWith('-'))
                option = args[i - 1];
        }
        return option is null ? $"expected {expected}, got '{value}'." : $"{option} expects {expected}, got '{value}'.";
    }
}
