using MLNetExt.Cli.Commands;
using Spectre.Console.Cli;

namespace MLNetExt.Cli;

/// <summary>Entry point of the <c>mlnetext</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Main(string[] args) => Build().Run(args);

    /// <summary>The command tree, shared by <see cref="Main"/> and the tests.</summary>
    public static CommandApp Build()
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("mlnetext");
            config.PropagateExceptions();
            config.AddCommand<InfoCommand>("info")
                .WithDescription("Versions, native libraries, pretrained encoders and CPU facts; non-zero exit when something required is broken.");
            config.AddBranch("train", train =>
            {
                train.SetDescription("Train models with TorchSharp.");
                train.AddCommand<TrainClassifyCommand>("classify")
                    .WithDescription("Fine-tune all-MiniLM-L6-v2 on a GLUE task and compare with a frozen-encoder baseline on dev.");
                train.AddCommand<TrainExportCommand>("export")
                    .WithDescription("Import a pretrained encoder into TorchSharp, export it as a new ONNX graph, compare with the original.");
            });
            // Verbs of later issues register here, one line each: eval, bench, train, auto.
        });
        return app;
    }
}
