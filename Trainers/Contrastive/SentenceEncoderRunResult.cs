using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Sts;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>What a run did: the figures <c>mlnetext train embed</c> prints and writes as JSON.</summary>
/// <param name="Encoder">The encoder trained.</param>
/// <param name="Loss">The loss name.</param>
/// <param name="TrainingRows">Rows trained on.</param>
/// <param name="StsBefore">The STS file scored with the encoder before training (null without one).</param>
/// <param name="StsAfter">The same after training, with the exported encoder.</param>
/// <param name="BeirBefore">The BEIR split scored before training (null without one).</param>
/// <param name="BeirAfter">The same after training, with the exported encoder.</param>
/// <param name="Training">Steps, loss, throughput, evaluations during training and the best step.</param>
/// <param name="Model">The trained encoder.</param>
public sealed record SentenceEncoderRunResult(string Encoder, string Loss, int TrainingRows, StsResult? StsBefore, StsResult? StsAfter,
    BeirResult? BeirBefore, BeirResult? BeirAfter, TrainingResult Training, EncoderModel Model);
