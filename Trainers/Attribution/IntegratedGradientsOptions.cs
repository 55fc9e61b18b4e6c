using MLNetExt.Trainers.FineTuning;
using MLNetExt.Transforms.Attribution;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Trainers.Attribution;

/// <summary>Settings of <see cref="IntegratedGradientsAttribution"/> (integrated gradients, or gradient x input).</summary>
public sealed class IntegratedGradientsOptions : AttributionMethodOptions
{
    /// <summary>Interpolation steps between the baseline and the input (default 20; midpoint rule).</summary>
    public int Steps { get; set; } = 20;

    /// <summary>Interpolation points per forward/backward pass (default 10).</summary>
    public int BatchSize { get; set; } = 10;

    /// <summary>Gradient x input (one gradient at the input, times the input's embedding) instead of integrated gradients.</summary>
    public bool GradientTimesInput { get; set; }

    /// <inheritdoc/>
    public override string MethodName => GradientTimesInput ? IntegratedGradientsAttribution.GradientTimesInputName : IntegratedGradientsAttribution.MethodName;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The pipeline holds no fine-tuned encoder (<see cref="EncoderFineTuningTransformer"/>) reading the explained columns and writing the explained output.</exception>
    public override ITextAttributionMethod Create(ExplainedTextModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckCommon();
        if (Steps < 1)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, $"Steps must be at least 1, got {Steps}.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BatchSize must be at least 1, got {BatchSize}.");
        EncoderFineTuningTransformer fineTuned = EncoderPipelineParts(model.Model).OfType<EncoderFineTuningTransformer>().LastOrDefault()
            ?? throw new ArgumentException(
                $"{MethodName} needs gradients, so the explained pipeline must hold a fine-tuned encoder (EncoderFineTuningTransformer, from train classify or " +
                "EncoderTextClassification); explain other pipelines with occlusion, reagent or kernel-shap.", nameof(model));
        if (fineTuned.Info.SentenceColumnName != model.TextColumnName || fineTuned.Info.SecondSentenceColumnName != model.PairColumnName
            || fineTuned.Info.ScoreColumnName != model.OutputColumnName)
        {
            throw new ArgumentException(
                $"{MethodName} differentiates the fine-tuned encoder directly: explain its own columns (text '{fineTuned.Info.SentenceColumnName}', " +
                $"output '{fineTuned.Info.ScoreColumnName}'), not '{model.TextColumnName}' -> '{model.OutputColumnName}'.", nameof(model));
        }
        return new IntegratedGradientsAttribution(fineTuned, this);
    }

    private static IEnumerable<Microsoft.ML.ITransformer> EncoderPipelineParts(Microsoft.ML.ITransformer model) =>
        model is IEnumerable<Microsoft.ML.ITransformer> chain ? chain.SelectMany(EncoderPipelineParts) : [model];
}
