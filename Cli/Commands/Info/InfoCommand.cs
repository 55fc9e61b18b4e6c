using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MLNetExt.Trainers.Native;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Info;

/// <summary><c>mlnetext info</c>: versions, native libraries, pretrained encoders and CPU facts.</summary>
/// <remarks>Exits with 1 when something required is broken, printing the fix.</remarks>
public sealed class InfoCommand : Command<InfoCommand.Settings>
{
    /// <summary>Options of <c>info</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Skip materialising the pretrained encoders (only report what is cached).</summary>
        [CommandOption("--no-materialize")]
        public bool NoMaterialize { get; init; }
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var problems = new List<string>();

        var versions = new Table().AddColumns("component", "version");
        versions.AddRow("MLNetExt", Markup.Escape(VersionOf(typeof(InfoCommand).Assembly)));
        versions.AddRow("ML.NET", Markup.Escape(VersionOf(typeof(MLContext).Assembly)));
        versions.AddRow("ONNX Runtime", Markup.Escape(OrtVersion(problems)));
        versions.AddRow(".NET", Markup.Escape(Environment.Version.ToString()));

        TorchSharpStatus torch = TorchSharpRuntime.Probe();
        versions.AddRow("TorchSharp", Markup.Escape(torch.TorchSharpVersion));
        versions.AddRow("libtorch", Markup.Escape(torch.LibTorchVersion ?? "not loaded"));
        AnsiConsole.Write(versions);

        AnsiConsole.MarkupLine(torch.Loaded ? "[green]TorchSharp native library loads[/]" : "[red]TorchSharp native library does not load[/]");
        AnsiConsole.MarkupLine($"  native library: {Markup.Escape(torch.NativeLibraryPath ?? "not found beside the application")}");
        AnsiConsole.MarkupLine(torch.SystemLacksAnchorVersion
            ? $"  system libstdc++ lacks GLIBCXX_3.4.32; compatibility fix {(torch.FixApplied ? "[green]applied[/] (need marked weak)" : "[red]not applied[/]")}"
            : "  system libstdc++ has GLIBCXX_3.4.32; no compatibility fix needed");
        if (!torch.Loaded)
            problems.Add(torch.Error ?? "TorchSharp did not load.");

        EncoderReport.Write(settings.NoMaterialize, problems, cancellationToken);

        var cpu = new Table().AddColumns("CPU", "value");
        cpu.AddRow("logical cores", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        cpu.AddRow("libtorch threads", torch.Loaded ? torch.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-");
        cpu.AddRow("features", Markup.Escape(CpuFeatures.Describe()));
        cpu.AddRow("model", Markup.Escape(CpuFeatures.ModelName() ?? "unknown"));
        AnsiConsole.Write(cpu);

        if (problems.Count == 0)
        {
            AnsiConsole.MarkupLine("[green]Everything required works.[/]");
            return 0;
        }
        // Problems are errors: standard error, as every verb's are (exit 1: the installation's work cannot be done).
        foreach (string problem in problems)
            Console.Error.WriteLine($"error: {problem}");
        return 1;
    }

    private static string OrtVersion(List<string> problems)
    {
        try
        {
            return OrtEnv.Instance().GetVersionString();
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or OnnxRuntimeException)
        {
            problems.Add($"ONNX Runtime's native library does not load ({ex.GetBaseException().Message}); reference Microsoft.ML.OnnxRuntime from the application.");
            return "not loaded";
        }
    }

    private static string VersionOf(Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? version[..plus] : version;
    }
}
