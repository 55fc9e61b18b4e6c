using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.Compression;

/// <summary>What <see cref="ClassifierDistillationTrainer.Train"/> returns: the trained student and the run's figures.</summary>
public sealed class ClassifierDistillationResult
{
    internal ClassifierDistillationResult(EncoderFineTuningTransformer student, IReadOnlyList<int>? teacherLayers, IReadOnlyList<int> mappedLayers,
        TrainingResult training, double seconds)
    {
        Student = student;
        TeacherLayers = teacherLayers;
        MappedLayers = mappedLayers;
        Training = training;
        Seconds = seconds;
    }

    /// <summary>
    /// The trained student, a fine-tuned model like the teacher (same columns, classes and tokenization) whose graph has
    /// <see cref="Layers"/> layers. Save it with <see cref="EncoderFineTuningTransformer.Save"/>. The caller disposes it.
    /// </summary>
    public EncoderFineTuningTransformer Student { get; }

    /// <summary>The teacher layers the student was made of (null when a student encoder was given).</summary>
    public IReadOnlyList<int>? TeacherLayers { get; }

    /// <summary>The teacher layer each student layer stands for (what the hidden-state term compares).</summary>
    public IReadOnlyList<int> MappedLayers { get; }

    /// <summary>Layers of the student.</summary>
    public int Layers => MappedLayers.Count;

    /// <summary>Steps, losses and throughput of the run.</summary>
    public TrainingResult Training { get; }

    /// <summary>Wall-clock seconds of the whole distillation (student made, trained, exported).</summary>
    public double Seconds { get; }

    /// <summary>The student in one line: its layers and where they came from.</summary>
    public override string ToString() => TeacherLayers is null
        ? $"student of {Layers} layers (a given encoder; teacher layers {string.Join(",", MappedLayers)} mapped), {Training.Steps} steps"
        : $"student of {Layers} layers (teacher layers {string.Join(",", TeacherLayers)}), {Training.Steps} steps";
}
