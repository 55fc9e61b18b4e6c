using System.IO.Compression;
using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.FineTuning;

namespace MLNetExt.Trainers.Glue;

/// <summary>
/// Scores a saved model on GLUE examples, whichever of the project's model files it is: a fine-tuned encoder
/// (<c>train classify --out</c>, <see cref="EncoderFineTuningTransformer.Save"/>), a <c>SaveWithEncoders</c> pipeline,
/// or an ML.NET model file (<c>mlContext.Model.Save</c>).
/// </summary>
public static class GlueModelEvaluation
{
    /// <summary>The task's measures of the model's predictions on <paramref name="gold"/> (row i belongs to example i).</summary>
    /// <param name="task">The task.</param>
    /// <param name="gold">The examples, read by <see cref="GlueReader"/>.</param>
    /// <param name="modelPath">The model file. A fine-tuned encoder reads the sentences under its own column names; other
    /// pipelines read <c>Sentence1</c> and <c>Sentence2</c>.</param>
    /// <param name="predictedColumn">The prediction column; by default <c>PredictedLabel</c>, or <c>Score</c> for STS-B.</param>
    /// <param name="mlContext">The context; null makes one with seed 0.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is none of the supported model files; the message names it.</exception>
    public static GlueResult Evaluate(GlueTask task, IReadOnlyList<GlueExample> gold, string modelPath, string? predictedColumn = null, MLContext? mlContext = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(modelPath);
        MLContext ml = mlContext ?? new MLContext(seed: 0);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"Model file '{modelPath}' does not exist.", modelPath);
        string[] entries;
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(modelPath);
            entries = zip.Entries.Select(e => e.FullName).ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{modelPath}' is not a model file (a zip written by train classify --out, SaveWithEncoders or mlContext.Model.Save): {ex.Message}", ex);
        }
        IDataView input = ml.Data.LoadFromEnumerable(gold);
        if (entries.Contains("fine_tuning.json"))
        {
            EncoderFineTuningTransformer model = EncoderFineTuningTransformer.Load(ml, modelPath);
            try
            {
                input = Renamed(ml, input, nameof(GlueExample.Sentence1), model.Info.SentenceColumnName);
                if (model.Info.SecondSentenceColumnName is string second)
                    input = Renamed(ml, input, nameof(GlueExample.Sentence2), second);
                return GlueEvaluator.Evaluate(task, gold, model.Transform(input), predictedColumn);
            }
            finally
            {
                model.Dispose();
            }
        }
        ITransformer pipeline;
        try
        {
            pipeline = entries.Contains("manifest.json") ? ml.Model.LoadWithEncoders(modelPath, out _) : ml.Model.Load(modelPath, out _);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FormatException or IOException)
        {
            throw new InvalidDataException($"'{modelPath}' is not a model file (a zip written by train classify --out, SaveWithEncoders or mlContext.Model.Save): {ex.Message}", ex);
        }
        try
        {
            return GlueEvaluator.Evaluate(task, gold, pipeline.Transform(input), predictedColumn);
        }
        finally
        {
            (pipeline as IDisposable)?.Dispose();
        }
    }

    private static IDataView Renamed(MLContext ml, IDataView input, string from, string to) =>
        from == to ? input : ml.Transforms.CopyColumns(to, from).Fit(input).Transform(input);
}
