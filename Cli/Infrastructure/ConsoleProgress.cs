using System.Diagnostics;
using System.Globalization;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using Spectre.Console;

namespace MLNetExt.Cli.Infrastructure;

/// <summary>
/// Shows a library call's progress: live bars on an interactive console, plain lines when the output is redirected.
/// Every display reports through one <see cref="SynchronousProgress{T}"/> (on the working thread, in order).
/// </summary>
internal static class ConsoleProgress
{
    /// <summary>Runs <paramref name="work"/> with one bar per encoding stage.</summary>
    public static T Encoding<T>(Func<IProgress<EncodingProgress>, T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                result = work(new SynchronousProgress<EncodingProgress>(p =>
                {
                    if (!bars.TryGetValue(p.Stage, out var bar))
                        bars[p.Stage] = bar = ctx.AddTask(p.Stage, maxValue: Math.Max(1, p.Total));
                    bar.Value = p.Done;
                }));
                foreach (var bar in bars.Values)
                    bar.StopTask();
            });
        return result;
    }

    /// <summary>"eta 12m05s" from a training report (wall time left at the mean pace of the steps so far).</summary>
    public static string Eta(TrainingProgress p) =>
        p.Step >= p.TotalSteps ? "done" : TimeSpan.FromSeconds(Math.Round(p.SecondsRemaining)) is var t && t.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"eta {(int)t.TotalHours}h{t.Minutes:D2}m")
            : string.Create(CultureInfo.InvariantCulture, $"eta {t.Minutes}m{t.Seconds:D2}s");

    /// <summary>"step 500/2105 eval: accuracy 90.37, f1 90.52": an evaluation during training, measures in percent.</summary>
    public static string Evaluation(TrainingProgress p) =>
        string.Create(CultureInfo.InvariantCulture, $"step {p.Step}/{p.TotalSteps} eval: ") +
        string.Join(", ", (p.Metrics ?? new Dictionary<string, double>()).Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {100 * m.Value:F2}")));

    /// <summary>Runs <paramref name="work"/> with a bar over the training steps (redirected output: a line every 5% of the steps).</summary>
    public static T Training<T>(string description, Func<IProgress<TrainingProgress>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var clock = Stopwatch.StartNew();
            return work(new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Metrics is not null)
                    Console.WriteLine(Evaluation(p));
                if (p.Step == p.TotalSteps || p.Step % Math.Max(1, p.TotalSteps / 20) == 0)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"step {p.Step}/{p.TotalSteps} epoch {p.Epoch + 1} loss {p.Loss:F3} lr {p.LearningRate:E2} {p.RowsPerSecond:F1} rows/s ({clock.Elapsed.TotalSeconds:F0} s, {Eta(p)})"));
            }));
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask bar = ctx.AddTask(description, maxValue: 1);
                result = work(new SynchronousProgress<TrainingProgress>(p =>
                {
                    if (p.Metrics is not null)
                        AnsiConsole.WriteLine(Evaluation(p));
                    bar.MaxValue = p.TotalSteps;
                    bar.Value = p.Step;
                    bar.Description = string.Create(CultureInfo.InvariantCulture, $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} {p.RowsPerSecond:F1} rows/s");
                }));
            });
        return result;
    }
}
