using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.FineTuning;

namespace MLNetExt.Trainers.Glue;

/// <summary>
/// Scores a saved model on GLUE examples, whichever of the project's model files it is (<see cref="TextModelFile"/>):
/// a fine-tuned encoder (<c>train classify --out</c>), a <c>SaveWithEncoders</c> pipeline or an ML.NET model file.
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
        using TextModelFile file = TextModelFile.Load(ml, modelPath);
        IDataView input = ml.Data.LoadFromEnumerable(gold);
        if (file.Kind == TextModelFileKind.FineTunedEncoder)
        {
            input = Renamed(ml, input, nameof(GlueExample.Sentence1), file.TextColumnName!);
            if (file.PairColumnName is string second)
                input = Renamed(ml, input, nameof(GlueExample.Sentence2), second);
        }
        return GlueEvaluator.Evaluate(task, gold, file.Model.Transform(input), predictedColumn);
    }

    private static IDataView Renamed(MLContext ml, IDataView input, string from, string to) =>
        from == to ? input : ml.Transforms.CopyColumns(to, from).Fit(input).Transform(input);
}
