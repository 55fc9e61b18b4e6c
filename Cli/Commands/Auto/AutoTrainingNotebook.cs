using System.Globalization;
using Microsoft.ML;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Notebooks;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>
/// Writes <c>ModelTraining.ipynb</c> beside the consumption project: the chosen pipeline written out as ML.NET code
/// with the sweep's settings, trained again on the same rows, evaluated on the same validation rows (printing the
/// sweep's figure beside it), saved, loaded back and checked. It references the assemblies this tool runs from, so it
/// runs as it is in VS Code (Polyglot Notebooks) or with <c>mlnetext notebook run</c>.
/// </summary>
internal static class AutoTrainingNotebook
{
    public const string FileName = "ModelTraining.ipynb";

    private static readonly string[] CoreAssemblies =
    [
        "Microsoft.ML.Core", "Microsoft.ML.Data", "Microsoft.ML.DataView", "Microsoft.ML.StandardTrainers", "Microsoft.ML.Transforms",
        "MLNetExt.Transforms", "MLNetExt.Evaluation", "MLNetExt.Trainers", "MLNetExt.Estimators",
    ];

    /// <summary>Writes the notebook into <paramref name="outDir"/>; returns its path.</summary>
    public static string Write(string outDir, TextSweepResult result, int? maxRows)
    {
        TextSweepOptions options = result.Options;
        bool classify = options.Task == SweepTask.Classification;
        SweepCandidate chosen = result.Chosen;
        string path = Path.Combine(outDir, FileName);
        string task = classify ? "SweepTask.Classification" : "SweepTask.Regression";
        string metric = result.Metric;

        // The chosen candidate as code: a trial's featurizer and trainer, or a baseline named by the library.
        string? featurizer = null, trainer;
        string trainerName;
        if (chosen.Kind == SweepCandidateKind.Baseline)
        {
            trainerName = "baseline";
            trainer = null;
        }
        else
        {
            Parameter parameter = result.Trials.First(t => t.TrialSettings.TrialId == chosen.TrialId).TrialSettings.Parameter;
            var (trainerComponent, trainerParameter) = result.Pipeline.SelectTrainer(parameter);
            trainerName = trainerComponent.Name;
            trainer = AutoPipelineCode.Trainer(trainerName, trainerParameter, options.Task, options.TextColumns, options.Seed, "trainerContext");
            if (!trainerComponent.ReadsText)
            {
                var (featurizerComponent, featurizerParameter) = result.Pipeline.SelectFeaturizer(parameter);
                featurizer = AutoPipelineCode.Featurizer(featurizerComponent.Name, featurizerParameter, options.TextColumns);
            }
        }

        var cells = new List<NotebookCell>
        {
            NotebookCell.Markdown(
                $"# Training the chosen pipeline again\n\n" +
                $"Written by `mlnetext auto {(classify ? "classify" : "regress")}`. The sweep chose **{chosen.Pipeline}** " +
                $"({metric} {Invariant(chosen.Metric)} on validation, {result.ValidationDescription}). The cells below train that " +
                "pipeline on the same rows with the same settings, evaluate it on the same validation rows, save it and load it back. " +
                "Change the settings or the pipeline and run again to try your own ideas." +
                (result.Refit is null ? "" : "\n\nThe saved `model.zip` was refitted on training + validation rows; this notebook trains on the training rows only, so that validation means something.")),
            NotebookCell.CSharp(References(trainerName)),
            NotebookCell.Markdown("## Settings\n\nThe sweep's data and seed. `MaxRows` caps the training rows read (null: all): a smaller number gives a quicker, rougher run."),
            NotebookCell.CSharp(
                "var settings = (\n" +
                $"    Dataset: {AutoPipelineCode.Literal(Path.GetFullPath(options.Dataset))},\n" +
                $"    Validation: (string?){(options.Validation is null ? "null" : AutoPipelineCode.Literal(Path.GetFullPath(options.Validation)))},\n" +
                $"    Label: {AutoPipelineCode.Literal(options.LabelColumn)},\n" +
                $"    Text: new[] {{ {string.Join(", ", options.TextColumns.Select(AutoPipelineCode.Literal))} }},\n" +
                $"    MaxRows: (int?){(maxRows is int rows ? rows.ToString(CultureInfo.InvariantCulture) : "null")},\n" +
                $"    Seed: {options.Seed});"),
            NotebookCell.Markdown("## Data\n\nThe training file, and the validation file or 20% of the training rows held out with the sweep's seed."),
            NotebookCell.CSharp(
                "var mlContext = new MLContext(seed: settings.Seed);\n" +
                $"IDataView data = TextDataset.Load(mlContext, settings.Dataset, settings.Label, settings.Text, {task}, settings.MaxRows).Data;\n" +
                "IDataView train = data, validation;\n" +
                "if (settings.Validation is null)\n" +
                "{\n" +
                "    var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.2, seed: settings.Seed);\n" +
                "    (train, validation) = (split.TrainSet, split.TestSet);\n" +
                "}\n" +
                "else\n" +
                "{\n" +
                $"    validation = TextDataset.Load(mlContext, settings.Validation, settings.Label, settings.Text, {task}).Data;\n" +
                "}\n" +
                "long Rows(IDataView view) => view.GetColumn<ReadOnlyMemory<char>>(settings.Text[0]).LongCount();\n" +
                "Console.WriteLine($\"training rows: {Rows(train)}, validation rows: {Rows(validation)}\");"),
            NotebookCell.Markdown("## The pipeline\n\n" + (classify
                ? "The label becomes a key (classes in sorted order) in `Label`. "
                : "The label is copied to `Label`. ") + (trainer is null ? "The baseline reads the text columns and `Label`."
                : featurizer is null ? "The fine-tuning trainer reads the text columns and `Label`." : "The featurizer writes `Features`; the trainer reads `Label` and `Features`.")),
            NotebookCell.CSharp(
                (classify
                    ? "var labels = mlContext.Transforms.Conversion.MapValueToKey(\"Label\", settings.Label, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train);\n"
                    : "var labels = mlContext.Transforms.CopyColumns(\"Label\", settings.Label).Fit(train);\n") +
                "IDataView labelledTrain = labels.Transform(train), labelledValidation = labels.Transform(validation);\n\n" +
                (trainer is null
                    ? "// A zero-training baseline of the sweep (it counts class shares or centroids, or compares a pair's embeddings).\n" +
                      $"SweepBaseline baseline = SweepBaselines.For({task}, settings.Text, {(result.Pipeline.Featurizers.Any(f => f.Name == "encoder") ? "PretrainedEncoders.All.Select(e => e.Name).ToArray()" : "Array.Empty<string>()")})\n" +
                      $"    .First(b => b.Name == {AutoPipelineCode.Literal(chosen.Pipeline)});\n" +
                      "Console.WriteLine($\"baseline: {baseline.Name}\");"
                    : (featurizer is null ? "" : $"var featurizer = {featurizer};\n") +
                      "// Each trial makes its trainer on a context of its own with the sweep's seed: the same random draws here.\n" +
                      "var trainerContext = new MLContext(seed: settings.Seed);\n" +
                      $"var trainer = {trainer};\n" +
                      "Console.WriteLine(\"pipeline ready\");")),
            NotebookCell.Markdown(featurizer is null ? "## Train" : "## Train\n\n" +
                "As in the sweep, the features are computed once and cached before the trainer reads them (a trainer that shuffles, " +
                "such as SDCA, visits cached rows in another order than rows it caches itself)."),
            NotebookCell.CSharp(
                "var watch = System.Diagnostics.Stopwatch.StartNew();\n" +
                (trainer is null ? "ITransformer fitted = baseline.Fit(new MLContext(seed: settings.Seed), labelledTrain);\n"
                : featurizer is null ? "ITransformer fitted = trainer.Fit(labelledTrain);\n"
                : "ITransformer featurizerModel = featurizer.Fit(labelledTrain);\n" +
                  "IDataView features = featurizerModel.Transform(labelledTrain);\n" +
                  "features = mlContext.Data.Cache(mlContext.Transforms.SelectColumns(\"Label\", \"Features\").Fit(features).Transform(features));\n" +
                  "ITransformer fitted = new TransformerChain<ITransformer>(featurizerModel, trainer.Fit(features));\n") +
                "Console.WriteLine($\"trained in {watch.Elapsed.TotalSeconds:F1} s\");"),
            NotebookCell.Markdown($"## Evaluate\n\nEvery metric of the task on the validation rows; the sweep optimised {metric}."),
            NotebookCell.CSharp(
                "IDataView scored = fitted.Transform(labelledValidation);\n" +
                $"Dictionary<string, double> metrics = SweepMetrics.Compute(mlContext, scored, {task});\n" +
                "foreach (var (name, value) in metrics)\n" +
                "    Console.WriteLine($\"{name,-15} {value:F4}\");\n" +
                $"Console.WriteLine($\"validation {metric}: {{metrics[{AutoPipelineCode.Literal(metric)}]:F4}} (the sweep measured {Invariant(chosen.Metric)})\");"),
            NotebookCell.Markdown("## Save, load, predict\n\nThe model maps input rows to predictions" +
                (classify ? " (the predicted key back to the label's value)" : "") + "; it is written as the sweep writes `model.zip`."),
            NotebookCell.CSharp(
                (classify
                    ? "ITransformer model = new TransformerChain<ITransformer>(fitted, mlContext.Transforms.Conversion.MapKeyToValue(\"PredictedLabel\").Fit(scored));\n"
                    : "ITransformer model = fitted;\n") +
                "string modelPath = Path.GetFullPath(\"model-retrained.zip\");\n" +
                "SweepModelFile.Save(mlContext, model, train.Schema, modelPath);\n" +
                "ITransformer loaded = SweepModelFile.Load(mlContext, modelPath);\n" +
                (classify
                    ? "string[] before = model.Transform(validation).GetColumn<ReadOnlyMemory<char>>(\"PredictedLabel\").Select(v => v.ToString()).ToArray();\n" +
                      "string[] after = loaded.Transform(validation).GetColumn<ReadOnlyMemory<char>>(\"PredictedLabel\").Select(v => v.ToString()).ToArray();\n" +
                      "int agree = before.Zip(after).Count(p => p.First == p.Second);\n"
                    : "float[] before = model.Transform(validation).GetColumn<float>(\"Score\").ToArray();\n" +
                      "float[] after = loaded.Transform(validation).GetColumn<float>(\"Score\").ToArray();\n" +
                      "int agree = before.Zip(after).Count(p => Math.Abs(p.First - p.Second) <= 1e-4f);\n") +
                "Console.WriteLine($\"saved {Path.GetFileName(modelPath)}; the loaded model agrees on {agree} of {before.Length} validation rows\");\n" +
                (classify
                    ? "Console.WriteLine($\"first validation row -> {after[0]}\");"
                    : "Console.WriteLine($\"first validation row -> {after[0]:F4}\");")),
        };
        NotebookWriter.Write(path, cells);
        return path;
    }

    // #r lines for the assemblies this tool runs from (ML.NET and MLNetExt), and the usings the cells need.
    private static string References(string trainer)
    {
        string folder = Path.GetDirectoryName(typeof(TextSweep).Assembly.Location)!;
        string mlFolder = Path.GetDirectoryName(typeof(MLContext).Assembly.Location)!;
        var lines = new List<string> { "// The ML.NET and MLNetExt assemblies of the mlnetext tool that wrote this notebook." };
        foreach (string name in CoreAssemblies.Concat(AutoPipelineCode.TrainerAssemblies(trainer)))
        {
            string file = Path.Combine(name.StartsWith("MLNetExt", StringComparison.Ordinal) ? folder : mlFolder, name + ".dll");
            lines.Add($"#r \"{file}\"");
        }
        lines.Add("");
        lines.AddRange(
        [
            "using System.IO;",
            "using Microsoft.ML;",
            "using Microsoft.ML.Data;",
            "using Microsoft.ML.Trainers;",
            "using Microsoft.ML.Transforms;",
            "using Microsoft.ML.Transforms.Text;",
        ]);
        if (trainer == "fasttree")
            lines.Add("using Microsoft.ML.Trainers.FastTree;");
        if (trainer == "lightgbm")
            lines.Add("using Microsoft.ML.Trainers.LightGbm;");
        lines.AddRange(
        [
            "using MLNetExt;",
            "using MLNetExt.Estimators.Baselines;",
            "using MLNetExt.Estimators.Experiments;",
            "using MLNetExt.Estimators.Pipelines;",
            "using MLNetExt.Trainers.Contrastive;",
            "using MLNetExt.Trainers.FineTuning;",
            "using MLNetExt.Trainers.Training;",
            "using MLNetExt.Transforms;",
        ]);
        return string.Join("\n", lines);
    }

    private static string Invariant(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
