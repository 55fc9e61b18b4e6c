namespace MLNetExt.Trainers.FineTuning;

/// <summary>The kinds of model file the project writes and reads back (see <see cref="TextModelFile"/>).</summary>
public enum TextModelFileKind
{
    /// <summary>A fine-tuned encoder with its head (<c>train classify --out</c>, <see cref="EncoderFineTuningTransformer.Save"/>).</summary>
    FineTunedEncoder,

    /// <summary>A pipeline written by <c>SaveWithEncoders</c> (it may hold encoders and fine-tuned encoders).</summary>
    EncoderPipeline,

    /// <summary>A model written by ML.NET's own <c>mlContext.Model.Save</c>.</summary>
    MLNetModel,
}
