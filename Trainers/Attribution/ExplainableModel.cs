using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Trainers.FineTuning;

namespace MLNetExt.Trainers.Attribution;

/// <summary>
/// A fitted text model ready to be explained: the pipeline, the text column(s) it reads and the output explained.
/// Loads any of the project's model files: a fine-tuned encoder (<c>train classify --out</c>), a
/// <c>SaveWithEncoders</c> pipeline, or an ML.NET model file.
/// </summary>
/// <param name="Model">The fitted pipeline.</param>
/// <param name="TextColumnName">The text column read.</param>
/// <param name="PairColumnName">The second text column of a pair model, or null.</param>
/// <param name="ScoreColumnName">The output explained.</param>
/// <param name="Description">What the model is, for reports.</param>
public sealed record ExplainableModel(ITransformer Model, string TextColumnName, string? PairColumnName, string ScoreColumnName, string Description) : IDisposable
{
    /// <summary>Loads a model file; the text column is the model's own (fine-tuned) or the first text column of the saved input schema.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="path">The model file.</param>
    /// <param name="textColumnName">The text column, when the file does not say.</param>
    /// <param name="scoreColumnName">The output to explain (default <c>Score</c>).</param>
    /// <param name="runtime">How a fine-tuned model is served (int8, threads); null serves it as saved. Other pipelines ignore its thread count and refuse int8.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is none of the supported kinds, or names no text column.</exception>
    /// <exception cref="ArgumentException">Int8 was asked for a model that is not a fine-tuned encoder.</exception>
    public static ExplainableModel Load(MLContext mlContext, string path, string? textColumnName = null, string? scoreColumnName = null,
        FineTunedRuntimeOptions? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        string[] entries;
        using (ZipArchive zip = ZipFile.OpenRead(path))
            entries = zip.Entries.Select(e => e.FullName).ToArray();
        if (entries.Contains("fine_tuning.json"))
        {
            EncoderFineTuningTransformer fineTuned = EncoderFineTuningTransformer.Load(mlContext, path, runtime is { Int8: false } ? runtime.IntraOpThreads : null);
            string description = $"fine-tuned encoder ({path})";
            if (runtime is { Int8: true })
            {
                EncoderFineTuningTransformer saved = fineTuned;
                try
                {
                    fineTuned = saved.WithRuntime(runtime);
                }
                finally
                {
                    saved.Dispose();
                }
                description = $"fine-tuned encoder ({path}{(runtime.Int8 ? ", int8" : "")}{(runtime.IntraOpThreads is int t ? $", {t} ONNX Runtime threads" : "")})";
            }
            return new ExplainableModel(fineTuned, fineTuned.Info.SentenceColumnName, fineTuned.Info.SecondSentenceColumnName,
                scoreColumnName ?? fineTuned.Info.ScoreColumnName, description);
        }
        if (runtime is { Int8: true })
            throw new ArgumentException($"{path} is not a fine-tuned encoder (train classify --out); int8 serving applies to fine-tuned models only.", nameof(runtime));
        DataViewSchema schema;
        ITransformer model = entries.Contains("manifest.json")
            ? mlContext.Model.LoadWithEncoders(path, out schema)
            : mlContext.Model.Load(path, out schema);
        string text = textColumnName
            ?? schema.FirstOrDefault(c => c.Type is TextDataViewType && !c.IsHidden).Name
            ?? throw new InvalidDataException($"{path}: the model's input schema has no text column; name one with the text column option.");
        return new ExplainableModel(model, text, null, scoreColumnName ?? "Score", $"ML.NET pipeline ({path})");
    }

    /// <summary>The model as the attribution methods see it.</summary>
    public Transforms.Attribution.ExplainedTextModel ToExplained(MLContext? mlContext = null) =>
        new(Model, TextColumnName, ScoreColumnName, PairColumnName, mlContext);

    /// <summary>Disposes the pipeline when it holds native resources.</summary>
    public void Dispose() => (Model as IDisposable)?.Dispose();
}
