using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>What <see cref="SentenceEncoderTrainer.Train"/> returns: the trained encoder and the run's figures.</summary>
public sealed class SentenceEncoderTrainingResult
{
    internal SentenceEncoderTrainingResult(EncoderModel model, TrainingResult training)
    {
        Model = model;
        Training = training;
    }

    /// <summary>The trained encoder (ONNX graph in memory), for <c>EncodeText</c>, evaluators and sweeps.</summary>
    public EncoderModel Model { get; }

    /// <summary>Steps, losses, evaluations and throughput of the run.</summary>
    public TrainingResult Training { get; }

    /// <summary>
    /// Writes the encoder as a Hugging Face-layout folder (<c>model.onnx</c>, <c>vocab.txt</c>, <c>config.json</c> with
    /// pooling and normalisation) that <see cref="EncoderModel.Load"/> reads back; the folder is replaced atomically.
    /// </summary>
    public void SaveFolder(string directory) => Model.Save(directory);
}
