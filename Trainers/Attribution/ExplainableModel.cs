using Microsoft.ML;
using MLNetExt.Trainers.FineTuning;

namespace MLNetExt.Trainers.Attribution;

/// <summary>
/// A fitted text model ready to be explained: the pipeline, the text column(s) it reads and the output explained.
/// Loads any of the project's model files (<see cref="TextModelFile"/>).
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
    /// <param name="scoreColumnName">The output to explain (default: a fine-tuned encoder's score column, else <c>Score</c>).</param>
    /// <param name="runtime">How a fine-tuned model is served (int8, threads); null serves it as saved. Other pipelines ignore its thread count and refuse int8.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is none of the supported kinds, or names no text column.</exception>
    /// <exception cref="ArgumentException">Int8 was asked for a model that is not a fine-tuned encoder.</exception>
    public static ExplainableModel Load(MLContext mlContext, string path, string? textColumnName = null, string? scoreColumnName = null,
        FineTunedRuntimeOptions? runtime = null)
    {
        TextModelFile file = TextModelFile.Load(mlContext, path, runtime);
        string? text = file.Kind == TextModelFileKind.FineTunedEncoder ? file.TextColumnName : textColumnName ?? file.TextColumnName;
        if (text is null)
        {
            file.Dispose();
            throw new InvalidDataException($"{path}: the model's input schema has no text column; name one with the text column option.");
        }
        return new ExplainableModel(file.Model, text, file.PairColumnName, scoreColumnName ?? file.ScoreColumnName ?? "Score", file.Description);
    }

    /// <summary>The model as the attribution methods see it.</summary>
    public Transforms.Attribution.ExplainedTextModel ToExplained(MLContext? mlContext = null) =>
        new(Model, TextColumnName, ScoreColumnName, PairColumnName, mlContext);

    /// <summary>Disposes the pipeline when it holds native resources.</summary>
    public void Dispose() => (Model as IDisposable)?.Dispose();
}
