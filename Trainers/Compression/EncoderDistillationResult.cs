using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Compression;

/// <summary>What <see cref="EncoderDistillationTrainer.Train"/> returns: the trained student and the run's figures.</summary>
public sealed class EncoderDistillationResult
{
    internal EncoderDistillationResult(EncoderModel student, EncoderModel teacher, IReadOnlyList<int>? teacherLayers, TrainingResult training)
    {
        Student = student;
        Teacher = teacher;
        TeacherLayers = teacherLayers;
        Training = training;
    }

    /// <summary>The trained student (ONNX graph in memory), for <c>EncodeText</c>, the evaluators, int8 quantisation and <see cref="EncoderModel.Save"/>.</summary>
    public EncoderModel Student { get; }

    /// <summary>The teacher it learnt from.</summary>
    public EncoderModel Teacher { get; }

    /// <summary>The teacher layers the student was initialised from (null when a student model was given).</summary>
    public IReadOnlyList<int>? TeacherLayers { get; }

    /// <summary>Steps, losses, evaluations and throughput of the run.</summary>
    public TrainingResult Training { get; }
}
