using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Training;

/// <summary>
/// The optimisation loop shared by every trainer: AdamW with decoupled weight decay (none on biases and LayerNorm
/// weights), linear warmup then linear decay, global gradient-norm clipping, seeded data order and dropout,
/// evaluation callbacks with early stopping and the best evaluation's weights kept, atomic checkpoints with resume,
/// cancellation and progress reports.
/// </summary>
/// <remarks>
/// Determinism: the rows of epoch <c>e</c> are ordered by <see cref="EpochOrder"/> (a seeded shuffle, length-bucketed
/// when <see cref="TrainingOptions.LengthBucketBatches"/> asks for it, rows sharing a key kept apart when the task
/// reports <see cref="ITrainingTask{TBatch}.TrainingRowKeys"/>, several training sets taking turns when it reports
/// <see cref="ITrainingTask{TBatch}.TrainingRowSources"/>) and the dropout generator is reseeded
/// with <c>(seed, step)</c> before every step, and a resumed run uses the libtorch thread count the checkpoint was
/// written with (results depend on it), so a run resumed from a checkpoint takes exactly the steps an uninterrupted
/// run takes. Every step runs inside its own dispose scope; only the loss value leaves it.
/// </remarks>
public sealed class TrainingLoop
{
    private readonly TrainingOptions _options;

    /// <summary>Creates a loop with a copy of <paramref name="options"/>.</summary>
    public TrainingLoop(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <summary>Trains <paramref name="task"/>'s module; resumes from the checkpoint folder when it holds a checkpoint.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; a checkpoint of the last finished step is written first when checkpointing is on.</exception>
    public TrainingResult Run<TBatch>(ITrainingTask<TBatch> task, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        where TBatch : IDisposable
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.TrainingRowCount < 1)
            throw new ArgumentException("The training set has no rows.", nameof(task));

        NativeHeapPolicy.Apply();
        TrainingOptions o = _options;
        int rows = task.TrainingRowCount;
        IReadOnlyList<int>? sources = task.TrainingRowSources;
        if (sources is not null && sources.Count != rows)
            throw new InvalidOperationException($"The task reports {sources.Count} row sources for {rows} training rows.");
        int stepsPerEpoch = EpochOrder.BatchesPerEpoch(rows, o.BatchSize, sources);
        int totalSteps = Math.Min(stepsPerEpoch * o.Epochs, o.MaxSteps ?? int.MaxValue);
        var schedule = new LinearWarmupSchedule(o.LearningRate, totalSteps, (int)Math.Round(totalSteps * o.WarmupFraction));
        string fingerprint = $"seed={o.Seed};batch={o.BatchSize};rows={rows};steps={totalSteps};lr={o.LearningRate:R}"
            + (o.GradientAccumulationSteps > 1 ? $";accumulate={o.GradientAccumulationSteps}" : "")
            + (o.LengthBucketBatches > 0 ? $";buckets={o.LengthBucketBatches}" : "");
        IReadOnlyList<int>? lengths = null;
        if (o.LengthBucketBatches > 0)
        {
            lengths = task.TrainingRowLengths
                ?? throw new InvalidOperationException($"LengthBucketBatches is {o.LengthBucketBatches}, but the task {task.GetType().Name} does not report its row lengths; set LengthBucketBatches to 0.");
            if (lengths.Count != rows)
                throw new InvalidOperationException($"The task reports {lengths.Count} row lengths for {rows} training rows.");
        }

        IReadOnlyList<IReadOnlyList<string>>? keys = task.TrainingRowKeys;
        if (keys is not null && keys.Count != rows)
            throw new InvalidOperationException($"The task reports {keys.Count} row keys for {rows} training rows.");
        if (keys is not null)
            fingerprint += ";no-duplicates";
        if (sources is not null)
            fingerprint += $";sources={sources.Distinct().Count()}";

        nn.Module module = task.Module;
        var trainable = module.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        if (trainable.Count == 0)
            throw new InvalidOperationException("The module has no trainable parameters.");
        // The starting weights belong to the run too: a checkpoint of a run that began from another encoder or another
        // saved model of the same shape must not be continued as if it were this run's.
        fingerprint += ";weights=" + WeightsDigest(trainable.Select(p => p.parameter));
        static bool NoDecay(string name) => name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("LayerNorm", StringComparison.Ordinal);
        var groups = new[]
        {
            new AdamW.ParamGroup(trainable.Where(p => !NoDecay(p.name)).Select(p => p.parameter), o.LearningRate, 0.9, 0.999, 1e-8, o.WeightDecay, false, false),
            new AdamW.ParamGroup(trainable.Where(p => NoDecay(p.name)).Select(p => p.parameter), o.LearningRate, 0.9, 0.999, 1e-8, 0.0, false, false),
        };
        using AdamW optimizer = optim.AdamW(groups, o.LearningRate);
        List<Parameter> parameters = trainable.Select(p => p.parameter).ToList();

        (TrainingState State, BestModelSnapshot? Best)? loaded = o.CheckpointDirectory is null ? null : TrainingCheckpoint.TryLoad(o.CheckpointDirectory, module, optimizer, fingerprint);
        TrainingState state = loaded?.State ?? new TrainingState { Fingerprint = fingerprint };
        using var best = new BestHolder(loaded?.Best);
        int resumedFrom = state.Step;
        state.Threads = Threads(o, state);
        torch.set_num_threads(state.Threads);

        var wallClock = Stopwatch.StartNew();
        var stepClock = new Stopwatch();
        var prepClock = new Stopwatch();
        double lossSum = 0;
        int lossCount = 0, rowsTrained = 0;
        IReadOnlyList<int[]>? batches = null;
        int orderEpoch = -1;

        while (state.Step < totalSteps && !state.StoppedEarly)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int step = state.Step;
            int epoch = step / stepsPerEpoch;
            if (epoch != orderEpoch)
            {
                batches = EpochOrder.Batches(rows, o.BatchSize, o.Seed, epoch, lengths, o.LengthBucketBatches, keys, sources);
                orderEpoch = epoch;
            }
            int[] batchRows = batches![step % stepsPerEpoch];
            double learningRate = schedule.At(step);
            foreach (var group in optimizer.ParamGroups)
                group.LearningRate = learningRate;

            stepClock.Start();
            double loss = RunStep(task, batchRows, optimizer, parameters, o, step, prepClock);
            stepClock.Stop();
            lossSum += loss;
            lossCount++;
            rowsTrained += batchRows.Length;
            state.Step = step + 1;

            bool epochEnd = state.Step % stepsPerEpoch == 0 || state.Step == totalSteps;
            IReadOnlyDictionary<string, double>? metrics = null;
            if (task.PrimaryMetric is not null && (o.EvaluateEverySteps > 0 ? state.Step % o.EvaluateEverySteps == 0 || state.Step == totalSteps : epochEnd))
            {
                bool improved;
                (metrics, improved) = Evaluate(task, state, o, cancellationToken);
                if (improved && o.KeepBestModel)
                    best.Keep(module);
            }

            double elapsed = wallClock.Elapsed.TotalSeconds;
            progress?.Report(new TrainingProgress(state.Step, totalSteps, epoch, loss, learningRate,
                rowsTrained / Math.Max(1e-9, stepClock.Elapsed.TotalSeconds), metrics)
            {
                ElapsedSeconds = elapsed,
                SecondsRemaining = elapsed / (state.Step - resumedFrom) * (totalSteps - state.Step),
            });

            bool checkpointDue = o.CheckpointEverySteps > 0 ? state.Step % o.CheckpointEverySteps == 0 : epochEnd;
            if (o.CheckpointDirectory is not null && (checkpointDue || state.StoppedEarly || state.Step == totalSteps))
                TrainingCheckpoint.Save(o.CheckpointDirectory, module, optimizer, state, best.Snapshot);
            if (cancellationToken.IsCancellationRequested && o.CheckpointDirectory is not null && !checkpointDue)
                TrainingCheckpoint.Save(o.CheckpointDirectory, module, optimizer, state, best.Snapshot);
        }
        bool restored = false;
        if (best.Snapshot is not null && state.BestStep < state.Step)
        {
            best.Snapshot.RestoreInto(module);
            restored = true;
        }
        module.eval();

        return new TrainingResult
        {
            BestStep = state.BestStep,
            BestMetric = state.BestMetric,
            RestoredBestModel = restored,
            Steps = state.Step,
            ResumedFromStep = resumedFrom,
            StoppedEarly = state.StoppedEarly,
            Evaluations = state.Evaluations.Select(e => (e.Step, (IReadOnlyDictionary<string, double>)e.Metrics)).ToList(),
            MeanLoss = lossCount == 0 ? double.NaN : lossSum / lossCount,
            TrainingSeconds = stepClock.Elapsed.TotalSeconds,
            BatchPreparationSeconds = prepClock.Elapsed.TotalSeconds,
            RowsPerSecond = rowsTrained / Math.Max(1e-9, stepClock.Elapsed.TotalSeconds),
            Threads = state.Threads,
        };
    }

    // libtorch splits reductions and matrix products by thread, so the thread count changes the low bits of every
    // step: a resumed run keeps the count its checkpoint was written with, whatever this process would pick.
    private static int Threads(TrainingOptions o, TrainingState state)
    {
        if (state.Threads <= 0)
            return o.Threads > 0 ? o.Threads : Environment.ProcessorCount;
        if (o.Threads > 0 && o.Threads != state.Threads)
            throw new InvalidOperationException(
                $"The checkpoint in '{o.CheckpointDirectory}' was written by a run with {state.Threads} libtorch threads; this run asks for {o.Threads}. " +
                $"Results depend on the thread count, so a resumed run keeps the original one: set Threads to {state.Threads} or 0.");
        return state.Threads;
    }

    // Gradient accumulation: the batch runs as micro-batches of near-equal size; after micro-batch i the gradients hold
    // sum_j<=i w_j g_j with w_j = rows_j / rows. Scaling the sum by 1 / w_i before the backward pass and by w_i after it
    // adds w_i g_i whatever the task's LossAndGradients does inside (its own backward passes included). One micro-batch
    // (no accumulation) skips the scaling.
    private static double RunStep<TBatch>(ITrainingTask<TBatch> task, int[] rows, AdamW optimizer, List<Parameter> parameters,
        TrainingOptions o, int step, Stopwatch prepClock) where TBatch : IDisposable
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(o.Seed * 1_000_003L + step);
        task.Module.train();
        optimizer.zero_grad();
        int parts = Math.Min(o.GradientAccumulationSteps, rows.Length);
        double loss = 0;
        int start = 0;
        for (int part = 0; part < parts; part++)
        {
            int count = rows.Length / parts + (part < rows.Length % parts ? 1 : 0);
            double weight = (double)count / rows.Length;
            if (parts > 1)
                ScaleGradients(parameters, 1 / weight);
            prepClock.Start();
            using TBatch batch = task.PrepareBatch(parts == 1 ? rows : rows[start..(start + count)]);
            prepClock.Stop();
            using (var micro = NewDisposeScope())
                loss += weight * task.LossAndGradients(batch).item<float>();
            if (parts > 1)
                ScaleGradients(parameters, weight);
            start += count;
        }
        if (o.MaxGradientNorm > 0)
            nn.utils.clip_grad_norm_(parameters, o.MaxGradientNorm);
        optimizer.step();
        return loss;
    }

    private static void ScaleGradients(List<Parameter> parameters, double factor)
    {
        using var noGrad = no_grad();
        foreach (Parameter p in parameters)
            p.grad?.mul_(factor);
    }

    private static (IReadOnlyDictionary<string, double> Metrics, bool Improved) Evaluate<TBatch>(ITrainingTask<TBatch> task, TrainingState state, TrainingOptions o,
        CancellationToken cancellationToken) where TBatch : IDisposable
    {
        IReadOnlyDictionary<string, double> metrics;
        task.Module.eval();
        using (no_grad())
            metrics = task.Evaluate(cancellationToken);
        state.Evaluations.Add(new EvaluationRecord { Step = state.Step, Metrics = metrics.ToDictionary(m => m.Key, m => m.Value) });
        if (!metrics.TryGetValue(task.PrimaryMetric!, out double value))
            throw new InvalidOperationException($"The evaluation returned no '{task.PrimaryMetric}' metric (it returned {string.Join(", ", metrics.Keys)}).");
        bool improved = double.IsNaN(state.BestMetric) || (task.HigherIsBetter ? value > state.BestMetric : value < state.BestMetric);
        if (improved)
        {
            state.BestMetric = value;
            state.BestStep = state.Step;
            state.EvaluationsWithoutImprovement = 0;
        }
        else if (o.EarlyStoppingPatience > 0 && ++state.EvaluationsWithoutImprovement >= o.EarlyStoppingPatience)
        {
            state.StoppedEarly = true;
        }
        return (metrics, improved);
    }

    /// <summary>The best weights so far, owned by the run.</summary>
    private sealed class BestHolder(BestModelSnapshot? snapshot) : IDisposable
    {
        public BestModelSnapshot? Snapshot { get; private set; } = snapshot;

        public void Keep(nn.Module module)
        {
            if (Snapshot is null)
                Snapshot = BestModelSnapshot.Take(module);
            else
                Snapshot.Update(module);
        }

        public void Dispose() => Snapshot?.Dispose();
    }

    /// <summary>A short digest of the parameters' values (per tensor: sum and sum of squares in float64), for the fingerprint.</summary>
    private static string WeightsDigest(IEnumerable<Parameter> parameters)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var bytes = new List<byte>();
        foreach (Parameter parameter in parameters)
        {
            Tensor values = parameter.detach().to_type(ScalarType.Float64);
            bytes.AddRange(BitConverter.GetBytes(values.sum().item<double>()));
            bytes.AddRange(BitConverter.GetBytes(values.square().sum().item<double>()));
        }
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes.ToArray()), 0, 6).ToLowerInvariant();
    }
}
