using Microsoft.ML.Runtime;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Training;

/// <summary>
/// Runs the <see cref="TrainingLoop"/> for an ML.NET trainer: a log channel (the start message, then every evaluation),
/// ML.NET's progress channel (step, loss, learning rate) and the caller's own progress sink.
/// </summary>
internal static class ReportedTraining
{
    public static TrainingResult Run<TBatch>(IHostEnvironment host, string component, string progressName, string startMessage,
        TrainingOptions options, ITrainingTask<TBatch> task, IProgress<TrainingProgress>? sink, CancellationToken cancellationToken)
        where TBatch : IDisposable
    {
        using IChannel channel = host.Start(component);
        using IProgressChannel progressChannel = host.StartProgressChannel(progressName);
        TrainingProgress? latest = null;
        progressChannel.SetHeader(new ProgressHeader(["loss", "learning rate"], ["step"]), entry =>
        {
            if (latest is { } p)
            {
                entry.SetProgress(0, p.Step, p.TotalSteps);
                entry.SetMetric(0, p.Loss);
                entry.SetMetric(1, p.LearningRate);
            }
        });
        channel.Info(MessageSensitivity.None, startMessage);
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            latest = p;
            sink?.Report(p);
            if (p.Metrics is not null)
                channel.Info(MessageSensitivity.None, $"step {p.Step}/{p.TotalSteps}: {string.Join(", ", p.Metrics.Select(m => $"{m.Key} {m.Value:F4}"))}");
        });
        return new TrainingLoop(options).Run(task, progress, cancellationToken);
    }
}
