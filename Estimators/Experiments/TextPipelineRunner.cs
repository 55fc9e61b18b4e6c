using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Baselines;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Estimators.Tuners;
using MLNetExt.Trainers.FineTuning;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// Runs trials of a <see cref="SweepablePipeline"/> on text data: fits the chosen featurizer and trainer on the
/// training rows, scores the validation rows, and returns the metrics and the fitted model
/// (featurizer → trainer → predicted label back to its original value).
/// </summary>
/// <remarks>
/// Features are cached per featurizer configuration: the first trial with a configuration computes the training and
/// validation features once and keeps them in memory; later trials with the same configuration only fit a trainer.
/// Each trial gets its own <see cref="MLContext"/> (same seed) so that cancelling one
/// (through ML.NET's <c>ICancelable.CancelExecution</c>) leaves the cache usable.
/// </remarks>
public sealed class TextPipelineRunner : ITrialRunner, IModelStore
{
    private readonly MLContext _ml;
    private readonly SweepablePipeline _pipeline;
    private readonly IDataView _train;
    private readonly IDataView _validation;
    private readonly ITransformer _labelModel;
    private readonly SweepTask _task;
    private readonly int _seed;
    private readonly ConcurrentDictionary<string, CachedFeatures> _cache = new();

    /// <summary>Creates the runner.</summary>
    /// <param name="pipeline">What to sweep.</param>
    /// <param name="train">Training rows (the label column and the text columns).</param>
    /// <param name="validation">Validation rows, same columns.</param>
    /// <param name="labelColumn">Name of the label column (strings for classification, floats for regression).</param>
    /// <param name="task">Classification or regression.</param>
    /// <param name="metric">The metric to optimise (one of <see cref="SweepMetrics.Names"/>).</param>
    /// <param name="seed">Seed of every trial's <see cref="MLContext"/>.</param>
    public TextPipelineRunner(SweepablePipeline pipeline, IDataView train, IDataView validation, string labelColumn, SweepTask task, string metric, int seed = 0)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _validation = validation ?? throw new ArgumentNullException(nameof(validation));
        SweepMetrics.Check(metric, task);
        Metric = metric;
        _task = task;
        _seed = seed;
        _ml = new MLContext(seed);
        IEstimator<ITransformer> labelEstimator = task == SweepTask.Classification
            ? _ml.Transforms.Conversion.MapValueToKey(StockTrainers.Label, labelColumn, keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            : _ml.Transforms.CopyColumns(StockTrainers.Label, labelColumn);
        _labelModel = labelEstimator.Fit(train);
    }

    /// <summary>The metric optimised.</summary>
    public string Metric { get; }

    /// <summary>How many featurizer configurations have been computed (each once).</summary>
    public int FeaturizationCount => _cache.Count;

    /// <summary>The schema models expect as input (the training file's columns).</summary>
    public DataViewSchema InputSchema => _train.Schema;

    /// <inheritdoc />
    public TrialResult Run(TrialSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (trainer, trainerParameter) = _pipeline.SelectTrainer(settings.Parameter);
        if (trainer.ReadsText)
            return RunConfiguration(settings, null, null, trainer, trainerParameter, cancellationToken);
        var (featurizer, featurizerParameter) = _pipeline.SelectFeaturizer(settings.Parameter);
        return RunConfiguration(settings, featurizer, featurizerParameter, trainer, trainerParameter, cancellationToken);
    }

    /// <summary>
    /// Runs one configuration given component by component; a null parameter means the component's library defaults
    /// (this is how a sweep's best pipeline is compared with the same pipeline's default configuration).
    /// A trainer that <see cref="SweepableEstimator.ReadsText">reads text</see> takes no featurizer (pass null) and
    /// trains on the text columns; a fine-tuning trainer is given <paramref name="cancellationToken"/> so that its
    /// training loop stops between steps.
    /// </summary>
    public TrialResult RunConfiguration(TrialSettings settings, SweepableEstimator? featurizer, Parameter? featurizerParameter,
        SweepableEstimator trainer, Parameter? trainerParameter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(trainer);
        if (featurizer is null && !trainer.ReadsText)
            throw new ArgumentNullException(nameof(featurizer), $"The trainer '{trainer.Name}' reads Features; it needs a featurizer.");
        try
        {
            var ml = new MLContext(_seed);
            using var registration = ml.CancelOn(cancellationToken);
            var parts = new List<ITransformer>();
            IDataView train, validation;
            if (trainer.ReadsText)
            {
                train = _labelModel.Transform(_train);
                validation = _labelModel.Transform(_validation);
            }
            else
            {
                CachedFeatures features = Features(featurizer!, featurizerParameter, cancellationToken);
                parts.Add(features.Model);
                (train, validation) = (features.Train, features.Validation);
            }
            ITransformer trainerModel = Fit(trainer.Build(ml, trainerParameter), train, cancellationToken);
            IDataView scored = trainerModel.Transform(validation);
            if (trainer.ReadsText)
                scored = ml.Data.Cache(scored, ScoredColumns());   // the metrics read the predictions three times
            parts.Add(trainerModel);
            return Scored(ml, settings, scored, parts);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("The trial was cancelled.", e, cancellationToken);
        }
    }

    /// <summary>
    /// Scores a zero-training <paramref name="baseline"/> on the validation rows as a trial would be scored; the result
    /// carries its model (input rows → <c>Score</c>, and the predicted label's value for classification), which saves with
    /// <see cref="SaveModel"/> like a trial's.
    /// </summary>
    public TrialResult RunBaseline(SweepBaseline baseline, TrialSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            var ml = new MLContext(_seed);
            using var registration = ml.CancelOn(cancellationToken);
            ITransformer model = baseline.Fit(ml, _labelModel.Transform(_train));
            IDataView scored = ml.Data.Cache(model.Transform(_labelModel.Transform(_validation)), ScoredColumns());
            return Scored(ml, settings, scored, [model]);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("The baseline was cancelled.", e, cancellationToken);
        }
    }

    private TrialResult Scored(MLContext ml, TrialSettings settings, IDataView scored, List<ITransformer> parts)
    {
        Dictionary<string, double> metrics = SweepMetrics.Compute(ml, scored, _task);
        if (_task == SweepTask.Classification)
            parts.Add(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scored));
        double metric = metrics[Metric];
        return new TrialResult
        {
            TrialSettings = settings,
            Metric = metric,
            Loss = double.IsNaN(metric) ? double.PositiveInfinity : SweepMetrics.HigherIsBetter(Metric) ? -metric : metric,
            Metrics = metrics,
            Model = new TransformerChain<ITransformer>(parts.ToArray()),
        };
    }

    /// <summary>
    /// Scores a model this runner made (a trial's, or one read back with <see cref="LoadModel"/>) on other rows with the
    /// same columns, e.g. a test file kept out of the sweep; returns every metric of the task.
    /// </summary>
    public Dictionary<string, double> Score(ITransformer model, IDataView data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        return SweepMetrics.Compute(_ml, Scoring(model).Transform(_labelModel.Transform(data)), _task);
    }

    /// <summary>
    /// The per-row predictions of a model this runner made on the validation rows (or on <paramref name="data"/>), for a
    /// <see cref="PairedBootstrap"/> comparison of two candidates.
    /// </summary>
    public ScoredRows ScoreRows(ITransformer model, IDataView? data = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        IDataView scored = Scoring(model).Transform(_labelModel.Transform(data ?? _validation));
        return ScoredRows.Read(_ml.Data.Cache(scored, ScoredColumns()), _task);
    }

    // For classification the last part of a model maps the predicted key back to the label's value; metrics want the key.
    private ITransformer Scoring(ITransformer model) =>
        _task == SweepTask.Classification && model is TransformerChain<ITransformer> chain
            ? new TransformerChain<ITransformer>(chain.ToArray()[..^1])
            : model;

    /// <inheritdoc />
    /// <remarks>
    /// A model holding a text encoder is written with <c>SaveWithEncoders</c> (ML.NET's own format cannot hold it);
    /// a stock-only model in ML.NET's format, so that it loads with <c>mlContext.Model.Load</c> alone.
    /// </remarks>
    public void SaveModel(ITransformer model, string path) => SweepModelFile.Save(_ml, model, _train.Schema, path);

    /// <inheritdoc />
    public ITransformer LoadModel(string path) => SweepModelFile.Load(_ml, path);

    private string[] ScoredColumns() => _task == SweepTask.Classification
        ? [StockTrainers.Label, "Score", "PredictedLabel"]
        : [StockTrainers.Label, "Score"];

    // ML.NET's cancellation reaches stock trainers through the context; the training loops take the token themselves.
    private static ITransformer Fit(IEstimator<ITransformer> estimator, IDataView data, CancellationToken cancellationToken) => estimator switch
    {
        EncoderFineTuningTrainer fineTuning => fineTuning.Fit(data, cancellationToken),
        CoSentPairTrainer coSent => coSent.Fit(data, cancellationToken),
        _ => estimator.Fit(data),
    };

    private CachedFeatures Features(SweepableEstimator featurizer, Parameter? parameter, CancellationToken cancellationToken)
    {
        string key = featurizer.Name + "|" + (parameter?.ToString() ?? "library-defaults");
        if (_cache.TryGetValue(key, out CachedFeatures? cached))
            return cached;
        // A context of its own: the cached views keep referring to it after this trial ends.
        var ml = new MLContext(_seed);
        using (ml.CancelOn(cancellationToken))
        {
            IDataView train = _labelModel.Transform(_train);
            ITransformer model = featurizer.Build(ml, parameter).Fit(train);
            var features = new CachedFeatures(
                model,
                Materialize(ml, model.Transform(train)),
                Materialize(ml, model.Transform(_labelModel.Transform(_validation))));
            cancellationToken.ThrowIfCancellationRequested();
            return _cache.GetOrAdd(key, features);
        }
    }

    // Keeps only label and features, cached in memory, and reads them once so every later trial reads memory.
    private static IDataView Materialize(MLContext ml, IDataView data)
    {
        IDataView slim = ml.Transforms.SelectColumns(StockTrainers.Label, StockTrainers.Features).Fit(data).Transform(data);
        IDataView cached = ml.Data.Cache(slim);
        using DataViewRowCursor cursor = cached.GetRowCursor(cached.Schema);
        while (cursor.MoveNext())
        {
        }
        return cached;
    }

    private sealed record CachedFeatures(ITransformer Model, IDataView Train, IDataView Validation);
}
