using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Estimators.Tuners;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Estimators.Compression;

/// <summary>
/// The library service behind <c>mlnetext auto compress</c>: searches the compression space (layers kept, share of
/// heads kept, int8, token keep schedule) with the sweep experiment for the best quality whose measured speed is at
/// least <see cref="CompressionSweepOptions.MinSpeedup"/> times the original's, within a time budget; writes every
/// trial's model, the report (report.md, report.json) and the chosen model.
/// </summary>
/// <remarks>
/// <para>Each trial makes its configuration, then times it against the original in the same trial (alternating rounds)
/// and scores its quality; a trial is feasible when its speed ratio meets the constraint. The tuner minimises
/// -quality for feasible trials and a penalty above every feasible value for the others, so the sweep's own best is the
/// chosen one whenever any trial is feasible. The choice is made on the measure the sweep optimises (STS or dev), so its
/// quality is optimistic for unseen data, as any selection on one set is.</para>
/// <para>The checkpoint (<c>sweep/checkpoint.json</c>) lets a run with the same options resume; students and pruned
/// models trained once are reused by later trials and runs. Cancelling stops the running trial; the trials finished so
/// far are reported and the best feasible one is still written.</para>
/// </remarks>
/// <example><code>
/// CompressionSweepResult result = CompressionSweep.Run(new CompressionSweepOptions
/// {
///     Encoder = "minilm", StsPath = "stsb/dev.tsv", DistillTextPaths = ["stsb/train.tsv"], MinSpeedup = 2, TimeSeconds = 900, OutputFolder = "auto-compress",
/// });
/// Console.WriteLine(result.Chosen?.Description ?? result.Message);
/// </code></example>
public static class CompressionSweep
{
    /// <summary>Runs the sweep; see the class remarks.</summary>
    /// <param name="options">What to search.</param>
    /// <param name="monitor">Hears about each trial; null for none.</param>
    /// <param name="log">Hears one line per stage of a trial; null for none.</param>
    /// <param name="progress">Training steps of distillation and recovery; null for none.</param>
    /// <param name="cancellationToken">Stops the running trial; the finished ones are reported.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it and its value).</exception>
    /// <exception cref="ArgumentException">Options that do not go together, or a missing one.</exception>
    /// <exception cref="FileNotFoundException">A model, data or text file does not exist.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before any trial finished.</exception>
    public static CompressionSweepResult Run(CompressionSweepOptions options, IMonitor? monitor = null, Action<string>? log = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        log ??= _ => { };
        var clock = Stopwatch.StartNew();
        CheckPaths(options);
        Directory.CreateDirectory(options.OutputFolder);
        using CompressionTrialRunner runner = CreateRunner(options, progress, log);
        SearchSpace space = CompressionSearchSpace.Create(options, runner.LayerCount);
        CompressionConfiguration[] grid = Configurations(space).ToArray();
        if (options.IsEncoder && options.DistillTextPaths.Count == 0 && grid.Any(c => c.NeedsTraining(runner.LayerCount)))
            throw new ArgumentException("Fewer layers or heads are trained on unlabelled text: give distillation text, or search only all layers and all heads.", nameof(options));

        var experiment = new SweepExperiment()
            .SetSearchSpace(space)
            .SetTrialRunner(runner)
            .SetTuner(s => TunerFactory.Create(options.Tuner, s, options.Seed, budget: grid.Length))
            .SetTrainingTimeInSeconds(options.TimeSeconds)
            .SetMaxTrials(options.MaxTrials ?? grid.Length)
            .SetCheckpoint(Path.Combine(options.OutputFolder, "sweep"));
        if (monitor is not null)
            experiment.SetMonitor(monitor);
        log($"Searching {grid.Length} configurations of {options.Encoder ?? options.ModelPath} for the best quality at >= {options.MinSpeedup.ToString(CultureInfo.InvariantCulture)}x " +
            $"({(options.SpeedMeasure == CompressionSpeedMeasure.Cpu ? "per CPU-second" : "wall-clock")}) within {options.TimeSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        string? failure = null;
        try
        {
            experiment.Run(cancellationToken);
        }
        catch (InvalidOperationException e) when (experiment.Trials.Count > 0)
        {
            failure = e.Message; // every trial failed: the table still says how
        }

        CompressionTrial[] trials = experiment.Trials.Select(t => ToTrial(t, runner, options)).ToArray();
        CompressionTrial? chosen = Choose(trials);
        string? modelPath = chosen is null ? null : WriteChosen(chosen, options);
        var result = new CompressionSweepResult
        {
            Model = options.Encoder ?? options.ModelPath!,
            QualityMeasure = runner.QualityName,
            OriginalQuality = runner.OriginalQuality,
            MinSpeedup = options.MinSpeedup,
            SpeedMeasure = options.SpeedMeasure,
            SearchSpaceSize = grid.Length,
            Trials = trials,
            ResumedTrials = experiment.ResumedTrialCount,
            Chosen = chosen,
            ModelPath = modelPath,
            Message = chosen is null ? failure ?? NoFeasibleMessage(trials, options) : null,
            StopReason = experiment.StopReason,
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
        return result with { ReportPath = CompressionSweepReport.Write(result, options.OutputFolder) };
    }

    /// <summary>The best-quality feasible trial (the faster on a tie), or null when none met the constraint.</summary>
    internal static CompressionTrial? Choose(IEnumerable<CompressionTrial> trials) =>
        trials.Where(t => t.Feasible && t.Quality is not null).OrderByDescending(t => t.Quality).ThenByDescending(t => t.ConstrainedSpeedup).FirstOrDefault();

    internal static string NoFeasibleMessage(IReadOnlyList<CompressionTrial> trials, CompressionSweepOptions options)
    {
        string target = options.MinSpeedup.ToString("0.##", CultureInfo.InvariantCulture);
        CompressionTrial? fastest = trials.Where(t => t.ConstrainedSpeedup is not null).MaxBy(t => t.ConstrainedSpeedup);
        return fastest is null
            ? $"No trial finished, so none reached {target}x; raise the time budget."
            : FormattableString.Invariant(
                $"No trial reached {target}x the original's speed ({(options.SpeedMeasure == CompressionSpeedMeasure.Cpu ? "per CPU-second" : "wall-clock")}); the fastest of {trials.Count} was trial {fastest.TrialId} ({fastest.Description}) at {fastest.ConstrainedSpeedup:0.##}x. Lower the minimum speed-up, search harder settings (fewer layers or heads, int8, token keep) or give more time.");
    }

    private static CompressionTrialRunner CreateRunner(CompressionSweepOptions options, IProgress<TrainingProgress>? progress, Action<string> log)
    {
        if (options.IsEncoder)
        {
            EncoderModel original = Directory.Exists(options.Encoder) ? EncoderModel.Load(options.Encoder) : PretrainedEncoders.Load(options.Encoder!);
            return new EncoderCompressionTrialRunner(options, original, progress, log);
        }
        EncoderFineTuningTransformer model = EncoderFineTuningTransformer.Load(new MLContext(options.Seed), options.ModelPath!);
        return new ClassifierCompressionTrialRunner(options, model, progress, log);
    }

    private static void CheckPaths(CompressionSweepOptions options)
    {
        foreach (string path in options.DistillTextPaths.Append(options.StsPath).Append(options.ModelPath).OfType<string>())
            if (!File.Exists(path))
                throw new FileNotFoundException($"'{path}' does not exist.", path);
        if (options.DataFolder is not null && !Directory.Exists(options.DataFolder))
            throw new DirectoryNotFoundException($"The data folder '{options.DataFolder}' does not exist.");
    }

    private static IEnumerable<CompressionConfiguration> Configurations(SearchSpace space)
    {
        Parameter[][] axes = space.Options.Values.Select(o => ((ChoiceOption)o).Choices).ToArray();
        string[] keys = space.Options.Keys.ToArray();
        IEnumerable<Parameter[]> points = [[]];
        foreach (Parameter[] axis in axes)
            points = points.SelectMany(p => axis.Select(v => (Parameter[])[.. p, v]));
        foreach (Parameter[] point in points)
        {
            var parameter = Parameter.CreateNestedParameter();
            for (int i = 0; i < keys.Length; i++)
                parameter[keys[i]] = point[i];
            yield return CompressionConfiguration.FromParameter(parameter);
        }
    }

    private static CompressionTrial ToTrial(TrialResult trial, CompressionTrialRunner runner, CompressionSweepOptions options)
    {
        var configuration = CompressionConfiguration.FromParameter(trial.TrialSettings.Parameter);
        double? Metric(string name) => !trial.IsFailed && trial.Metrics.TryGetValue(name, out double v) ? v : null;
        double? speedup = Metric("speedup"), speedupCpu = Metric("speedup_cpu");
        double? constrained = options.SpeedMeasure == CompressionSpeedMeasure.Cpu ? speedupCpu : speedup;
        string path = runner.TrialPath(trial.TrialSettings.TrialId);
        return new CompressionTrial
        {
            TrialId = trial.TrialSettings.TrialId,
            Configuration = configuration,
            Description = configuration.Describe(runner.LayerCount),
            Quality = trial.IsFailed ? null : trial.Metric,
            Speedup = speedup,
            SpeedupCpu = speedupCpu,
            ConstrainedSpeedup = constrained,
            Feasible = constrained >= options.MinSpeedup,
            SizeBytes = Metric("size_bytes") is double size ? (long)size : null,
            Seconds = Math.Round(trial.DurationInMilliseconds / 1000, 1),
            PeakMemoryMiB = Math.Round(trial.PeakMemoryInMegaByte, 1),
            Error = trial.Error,
            ModelPath = File.Exists(path) || Directory.Exists(path) ? Path.GetFullPath(path) : null,
        };
    }

    // The chosen trial's model, copied atomically to model/ (encoder folder) or model.zip beside the report.
    private static string WriteChosen(CompressionTrial chosen, CompressionSweepOptions options)
    {
        string source = chosen.ModelPath ?? throw new InvalidOperationException($"Trial {chosen.TrialId}'s model is missing; run the sweep in a new folder.");
        if (Directory.Exists(source))
        {
            string target = Path.GetFullPath(Path.Combine(options.OutputFolder, "model"));
            AtomicFile.WriteDirectory(target, folder =>
            {
                foreach (string file in Directory.GetFiles(source))
                    File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            });
            return target;
        }
        string zip = Path.GetFullPath(Path.Combine(options.OutputFolder, "model.zip"));
        AtomicFile.Write(zip, temp => File.Copy(source, temp, overwrite: true));
        return zip;
    }
}
