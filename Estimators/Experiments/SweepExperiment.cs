using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// A sweep: asks a tuner for configurations, runs each as a trial, and keeps the best, within a time budget and a
/// trial limit, until cancelled (ML.NET AutoML's <c>AutoMLExperiment</c>).
/// </summary>
/// <remarks>
/// <para>A failed trial is recorded with its error and reported to the tuner as the worst outcome; the sweep goes on.</para>
/// <para>
/// With <see cref="SetCheckpoint"/> every finished trial is written to a JSON checkpoint (atomically) and the best
/// model beside it. Running again with the same checkpoint replays the finished trials into the tuner (so a seeded
/// tuner continues where it stopped, exactly so unless it had proposed repeats, which are answered from memory and
/// not checkpointed) and runs only new ones. The trial limit counts all trials; the time
/// budget counts this run only.
/// </para>
/// <para>
/// When the time budget ends, the running trial is cancelled unless no trial has finished yet (then it completes,
/// so that a sweep always returns a model). A trial cut short by the budget is recorded as failed with
/// <see cref="TrialResult.IsCancelled"/> set and its duration so far, reported to the tuner (a cost-aware tuner learns
/// what that component costs) and checkpointed; the sweep then returns its best trial. Cancelling the token passed to
/// <see cref="Run"/> stops at once and records nothing for the running trial.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var experiment = new SweepExperiment()
///     .SetSearchSpace(pipeline.SearchSpace)
///     .SetTrialRunner(runner)
///     .SetTuner(space => new CostFrugalTuner(space, seed: 0))
///     .SetTrainingTimeInSeconds(600)
///     .SetMonitor(new TextWriterMonitor(Console.Out, "accuracy"))
///     .SetCheckpoint("sweep-out");
/// TrialResult best = experiment.Run();
/// </code>
/// </example>
public sealed class SweepExperiment
{
    private const string CheckpointFileName = "checkpoint.json";
    private const int MaxDuplicateProposals = 20;

    private SearchSpace? _searchSpace;
    private ITrialRunner? _runner;
    private Func<SearchSpace, ITuner> _tunerFactory = space => new CostFrugalTuner(space);
    private IMonitor? _monitor;
    private TimeSpan? _timeBudget;
    private int _maxTrials = int.MaxValue;
    private string? _checkpointFolder;
    private readonly List<TrialResult> _trials = new();
    private readonly TimeProvider _time;

    /// <summary>Creates a sweep; configure it with the <c>Set...</c> methods.</summary>
    /// <param name="timeProvider">The clock that runs the time budget and times the trials; the system clock by default.</param>
    public SweepExperiment(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <summary>All trials of the last <see cref="Run"/>, resumed ones included, in the order they finished.</summary>
    public IReadOnlyList<TrialResult> Trials => _trials;

    /// <summary>How many trials the last <see cref="Run"/> read back from the checkpoint instead of running.</summary>
    public int ResumedTrialCount { get; private set; }

    /// <summary>Why the last <see cref="Run"/> ended.</summary>
    public SweepStopReason StopReason { get; private set; }

    /// <summary>The arms the tuner found converged in the last <see cref="Run"/> (empty unless it is an <see cref="IConvergingTuner"/>).</summary>
    public IReadOnlyList<ConvergedArm> ConvergedArms { get; private set; } = [];

    /// <summary>Sets the space to search.</summary>
    public SweepExperiment SetSearchSpace(SearchSpace searchSpace)
    {
        _searchSpace = searchSpace ?? throw new ArgumentNullException(nameof(searchSpace));
        return this;
    }

    /// <summary>Sets what runs a trial.</summary>
    public SweepExperiment SetTrialRunner(ITrialRunner runner)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        return this;
    }

    /// <summary>Sets how the tuner is made from the search space (default: <see cref="CostFrugalTuner"/> from the space's default).</summary>
    public SweepExperiment SetTuner(Func<SearchSpace, ITuner> tunerFactory)
    {
        _tunerFactory = tunerFactory ?? throw new ArgumentNullException(nameof(tunerFactory));
        return this;
    }

    /// <summary>Sets who hears about trials.</summary>
    public SweepExperiment SetMonitor(IMonitor monitor)
    {
        _monitor = monitor ?? throw new ArgumentNullException(nameof(monitor));
        return this;
    }

    /// <summary>Sets the time budget of a run.</summary>
    public SweepExperiment SetTrainingTimeInSeconds(double seconds)
    {
        if (!(seconds > 0))
            throw new ArgumentOutOfRangeException(nameof(seconds), $"The time budget must be positive; got {seconds}.");
        _timeBudget = TimeSpan.FromSeconds(seconds);
        return this;
    }

    /// <summary>Sets the most trials the sweep runs in all (resumed trials count).</summary>
    public SweepExperiment SetMaxTrials(int maxTrials)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrials, 1);
        _maxTrials = maxTrials;
        return this;
    }

    /// <summary>Keeps <c>checkpoint.json</c> and the best model (<c>best-model-trialN.zip</c>) in <paramref name="folder"/>, and resumes from them when present.</summary>
    public SweepExperiment SetCheckpoint(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _checkpointFolder = folder;
        return this;
    }

    /// <summary>Runs the sweep on a worker thread (see <see cref="Run"/>).</summary>
    public Task<TrialResult> RunAsync(CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Run(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Runs trials until the time budget, the trial limit or cancellation; returns the best trial with its model.
    /// Throws <see cref="InvalidOperationException"/> when no trial succeeded, and
    /// <see cref="OperationCanceledException"/> when cancelled before any trial finished.
    /// </summary>
    public TrialResult Run(CancellationToken cancellationToken = default)
    {
        SearchSpace space = _searchSpace ?? throw new InvalidOperationException("Call SetSearchSpace before Run.");
        ITrialRunner runner = _runner ?? throw new InvalidOperationException("Call SetTrialRunner before Run.");
        if (_timeBudget is null && _maxTrials == int.MaxValue && !cancellationToken.CanBeCanceled)
            throw new InvalidOperationException("The sweep has no end: set a time budget, a trial limit, or pass a cancellation token.");

        ITuner tuner = _tunerFactory(space);
        _trials.Clear();
        TrialResult? best = null;
        var checkpoint = new SweepCheckpoint { SearchSpace = space.ToJson() };
        string? checkpointPath = null;
        if (_checkpointFolder is not null)
        {
            Directory.CreateDirectory(_checkpointFolder);
            checkpointPath = Path.Combine(_checkpointFolder, CheckpointFileName);
            if (File.Exists(checkpointPath))
                best = Resume(checkpointPath, checkpoint, tuner, runner);
        }
        ResumedTrialCount = _trials.Count;

        using var deadline = _timeBudget is TimeSpan limit ? new CancellationTokenSource(limit, _time) : new CancellationTokenSource();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var seen = _trials.Where(t => !t.IsFailed).GroupBy(t => t.TrialSettings.Parameter).ToDictionary(g => g.Key, g => g.First());
        int duplicates = 0;

        StopReason = SweepStopReason.TrialLimit;
        var converging = tuner as IConvergingTuner;
        while (_trials.Count < _maxTrials && !budget.IsCancellationRequested)
        {
            if (converging is { IsConverged: true })
            {
                StopReason = SweepStopReason.Converged;
                break;
            }
            var settings = new TrialSettings { TrialId = NextTrialId() };
            settings.Parameter = tuner.Propose(settings);
            if (seen.TryGetValue(settings.Parameter, out TrialResult? earlier) && duplicates++ < MaxDuplicateProposals)
            {
                // Tell the tuner the known outcome instead of fitting the same configuration again.
                tuner.Update(new TrialResult { TrialSettings = settings, Metric = earlier.Metric, Loss = earlier.Loss });
                continue;
            }
            duplicates = 0;

            // Until a trial has finished, the time budget does not cut the running trial short.
            CancellationToken trialToken = _trials.Any(t => !t.IsFailed) ? budget.Token : cancellationToken;
            TrialResult? result = RunTrial(runner, settings, trialToken, cancellationToken);
            if (result is null)
            {
                StopReason = SweepStopReason.Cancelled;
                break;   // cancelled by the caller mid-trial: the trial is not recorded, a resumed sweep runs it again
            }
            _trials.Add(result);
            tuner.Update(result);
            bool improved = !result.IsFailed && (best is null || result.Loss < best.Loss);
            if (improved)
                best = result;
            // Checkpoint first, report second: a trial the monitor shows as finished is already on disk.
            if (checkpointPath is not null)
                WriteCheckpoint(checkpointPath, checkpoint, best, improved, runner);
            if (!result.IsFailed)
            {
                seen.TryAdd(result.TrialSettings.Parameter, result);
                _monitor?.ReportCompletedTrial(result, resumed: false);
            }
            if (improved)
                _monitor?.ReportBestTrial(result);
            // Trial models are not disposed here: their parts may be shared (a runner's cached featurizer serves many
            // trials, and disposing a chain disposes its parts); dropping the reference lets the runner decide.
            if (!improved)
                result.Model = null;
        }

        if (StopReason != SweepStopReason.Converged && budget.IsCancellationRequested)
            StopReason = cancellationToken.IsCancellationRequested ? SweepStopReason.Cancelled : SweepStopReason.TimeBudget;
        ConvergedArms = converging?.ConvergedArms.ToArray() ?? [];
        if (best is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException(_trials.Count == 0
                ? "The sweep ended before any trial finished; raise the time budget."
                : $"All {_trials.Count} trials failed; the first error: {_trials[0].Error}");
        }
        return best;
    }

    private int NextTrialId() => _trials.Count == 0 ? 0 : _trials.Max(t => t.TrialSettings.TrialId) + 1;

    private TrialResult? RunTrial(ITrialRunner runner, TrialSettings settings, CancellationToken token, CancellationToken callerToken)
    {
        _monitor?.ReportRunningTrial(settings);
        settings.StartedAtUtc = _time.GetUtcNow().UtcDateTime;
        long started = _time.GetTimestamp();
        double ElapsedMilliseconds() => _time.GetElapsedTime(started).TotalMilliseconds;
        using var memory = new PeakMemorySampler(TimeSpan.FromMilliseconds(100));
        try
        {
            TrialResult raw = runner.Run(settings, token);
            settings.EndedAtUtc = _time.GetUtcNow().UtcDateTime;
            return new TrialResult
            {
                TrialSettings = settings,
                Metric = raw.Metric,
                Loss = raw.Loss,
                Metrics = raw.Metrics,
                Model = raw.Model,
                DurationInMilliseconds = ElapsedMilliseconds(),
                PeakMemoryInMegaByte = memory.PeakMegabytes,
            };
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            if (callerToken.IsCancellationRequested)
                return null;
            settings.EndedAtUtc = _time.GetUtcNow().UtcDateTime;
            TrialResult cancelled = TrialResult.Cancelled(settings, ElapsedMilliseconds(), memory.PeakMegabytes);
            _monitor?.ReportFailTrial(settings, new OperationCanceledException(cancelled.Error));
            return cancelled;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            settings.EndedAtUtc = _time.GetUtcNow().UtcDateTime;
            _monitor?.ReportFailTrial(settings, e);
            return TrialResult.Failed(settings, e, ElapsedMilliseconds(), memory.PeakMegabytes);
        }
    }

    private TrialResult? Resume(string checkpointPath, SweepCheckpoint checkpoint, ITuner tuner, ITrialRunner runner)
    {
        SweepCheckpoint saved = SweepCheckpoint.Load(checkpointPath);
        if (saved.SearchSpace != checkpoint.SearchSpace)
            throw new InvalidOperationException(
                $"{checkpointPath} was written for another search space; use a new checkpoint folder or delete it.");
        TrialResult? best = null;
        foreach (TrialResult trial in saved.Trials)
        {
            // Propose first, so a seeded tuner's random state advances exactly as it did in the first run.
            tuner.Propose(new TrialSettings { TrialId = trial.TrialSettings.TrialId });
            tuner.Update(trial);
            _trials.Add(trial);
            if (!trial.IsFailed)
                _monitor?.ReportCompletedTrial(trial, resumed: true);
            if (trial.TrialSettings.TrialId == saved.BestTrialId)
                best = trial;
        }
        if (best is not null && saved.BestModelFile is not null && runner is IModelStore store)
        {
            string modelPath = Path.Combine(Path.GetDirectoryName(checkpointPath)!, saved.BestModelFile);
            if (File.Exists(modelPath))
                best.Model = store.LoadModel(modelPath);
        }
        if (best is not null)
            _monitor?.ReportBestTrial(best);
        checkpoint.Trials.AddRange(saved.Trials);
        checkpoint.BestTrialId = saved.BestTrialId;
        checkpoint.BestModelFile = saved.BestModelFile;
        return best;
    }

    private void WriteCheckpoint(string checkpointPath, SweepCheckpoint checkpoint, TrialResult? best, bool improved, ITrialRunner runner)
    {
        checkpoint.Trials.Add(_trials[^1]);
        string folder = Path.GetDirectoryName(checkpointPath)!;
        string? previousModel = checkpoint.BestModelFile;
        if (improved && best?.Model is not null && runner is IModelStore store)
        {
            // One file per best trial: the checkpoint always names a model that matches its best trial, even if
            // the process dies between writing the model and writing the checkpoint.
            string modelFile = $"best-model-trial{best.TrialSettings.TrialId}.zip";
            string temp = Path.Combine(folder, modelFile + ".tmp");
            store.SaveModel(best.Model, temp);
            File.Move(temp, Path.Combine(folder, modelFile), overwrite: true);
            checkpoint.BestModelFile = modelFile;
        }
        checkpoint.BestTrialId = best?.TrialSettings.TrialId;
        checkpoint.Save(checkpointPath);
        if (previousModel is not null && previousModel != checkpoint.BestModelFile)
            File.Delete(Path.Combine(folder, previousModel));
    }
}
