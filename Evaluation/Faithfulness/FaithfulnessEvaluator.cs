using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Evaluation.Faithfulness;

/// <summary>
/// ERASER-style faithfulness of attribution methods: for each text and method, the top 1, 5, 10, 20 and 50% of the
/// words by attribution are taken out (comprehensiveness) or kept alone (sufficiency), the explained output is scored
/// in one batch, and the drops are averaged into AOPC figures, raw and normalised. Any
/// <see cref="ITextAttributionMethod"/> can be measured, perturbation or gradient alike.
/// </summary>
public sealed class FaithfulnessEvaluator
{
    private readonly ExplainedTextModel _model;
    private readonly FaithfulnessOptions _options;

    /// <summary>An evaluator measuring on <paramref name="model"/> (the model the methods explain).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A level is not in (0, 1], or there are none.</exception>
    public FaithfulnessEvaluator(ExplainedTextModel model, FaithfulnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = options ?? new FaithfulnessOptions();
        if (_options.Levels.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(options), "FaithfulnessOptions.Levels is empty; give at least one removal level.");
        foreach (double level in _options.Levels)
            FaithfulnessMetrics.RationaleSize(1, level);
    }

    /// <summary>Attributes every text with every method and measures the attributions.</summary>
    /// <exception cref="OperationCanceledException">Cancelled (between texts or model batches).</exception>
    public FaithfulnessResult Evaluate(IReadOnlyList<TextInstance> texts, IReadOnlyList<ITextAttributionMethod> methods, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(methods);
        if (methods.Count == 0)
            throw new ArgumentException("Give at least one attribution method.", nameof(methods));
        if (methods.Select(m => m.Name).Distinct().Count() != methods.Count)
            throw new ArgumentException($"Method names must be distinct: {string.Join(", ", methods.Select(m => m.Name))}.", nameof(methods));

        int levels = _options.Levels.Count;
        var accumulators = methods.Select(_ => new Accumulator(levels)).ToArray();
        // Each text's attributions and drops are computed on their own (in parallel when the methods allow it) and
        // summed in text order afterwards, so the figures do not depend on the parallelism.
        var perText = new Measurement[texts.Count][];
        int done = 0;
        void EvaluateText(int t)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TextInstance text = texts[t];
            if (text.Count > 0)
            {
                perText[t] = methods.Select(method =>
                {
                    TextAttribution attribution = method.Attribute(text, _options.BaselineFor?.Invoke(method) ?? _options.AttributionBaseline, _options.Target, cancellationToken);
                    return Measure(text, attribution, cancellationToken);
                }).ToArray();
            }
            _options.Progress?.Report((Interlocked.Increment(ref done), texts.Count));
        }
        int parallelism = methods.All(m => m is PerturbationAttribution) ? Math.Clamp(_options.Parallelism, 1, Math.Max(1, texts.Count)) : 1;
        if (parallelism == 1)
        {
            for (int t = 0; t < texts.Count; t++)
                EvaluateText(t);
        }
        else
        {
            try
            {
                Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, EvaluateText);
            }
            catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            }
        }

        var attributions = methods.ToDictionary(m => m.Name, _ => new List<TextAttribution>());
        int measured = 0, skipped = 0;
        foreach (Measurement[]? text in perText)
        {
            if (text is null)
            {
                skipped++;
                continue;
            }
            for (int m = 0; m < methods.Count; m++)
            {
                attributions[methods[m].Name].Add(text[m].Attribution);
                accumulators[m].Add(text[m]);
            }
            measured++;
        }
        var results = methods.Select((m, i) => accumulators[i].Result(m.Name, measured)).ToArray();
        return new FaithfulnessResult(_options.Levels, measured, skipped, results,
            attributions.ToDictionary(a => a.Key, a => (IReadOnlyList<TextAttribution>)a.Value));
    }

    /// <summary>One method's attribution of one text and the drops it gives at each level.</summary>
    private sealed record Measurement(TextAttribution Attribution, double[] Comprehensiveness, double[] Sufficiency,
        double[] NormalizedComprehensiveness, double[] NormalizedSufficiency);

    private Measurement Measure(TextInstance text, TextAttribution attribution, CancellationToken cancellationToken)
    {
        int n = text.Count, levels = _options.Levels.Count;
        int[] ranking = attribution.Ranking();
        var random = new Random(0);
        var batch = new List<TextPair>(2 * levels + 1) { text.Render(_ => _options.Removal.Replacement(random)) };
        for (int l = 0; l < levels; l++)
        {
            var top = new HashSet<int>(ranking.Take(FaithfulnessMetrics.RationaleSize(n, _options.Levels[l])));
            batch.Add(text.Render(i => top.Contains(i) ? _options.Removal.Replacement(random) : text.Words[i]));
            batch.Add(text.Render(i => top.Contains(i) ? text.Words[i] : _options.Removal.Replacement(random)));
        }
        float[][] outputs = _model.Score(batch, cancellationToken);
        double p = attribution.TargetValue, empty = outputs[0][attribution.TargetIndex];
        var comprehensiveness = new double[levels];
        var sufficiency = new double[levels];
        var normalizedComprehensiveness = new double[levels];
        var normalizedSufficiency = new double[levels];
        for (int l = 0; l < levels; l++)
        {
            double without = outputs[1 + 2 * l][attribution.TargetIndex], only = outputs[2 + 2 * l][attribution.TargetIndex];
            comprehensiveness[l] = FaithfulnessMetrics.Comprehensiveness(p, without);
            sufficiency[l] = FaithfulnessMetrics.Sufficiency(p, only);
            normalizedComprehensiveness[l] = FaithfulnessMetrics.NormalizedComprehensiveness(p, without, empty);
            normalizedSufficiency[l] = FaithfulnessMetrics.NormalizedSufficiency(p, only, empty);
        }
        return new Measurement(attribution, comprehensiveness, sufficiency, normalizedComprehensiveness, normalizedSufficiency);
    }

    private sealed class Accumulator(int levels)
    {
        private readonly double[] _comprehensiveness = new double[levels];
        private readonly double[] _sufficiency = new double[levels];
        private double _normalizedComprehensiveness, _normalizedSufficiency, _calls, _seconds, _gap;
        private int _normalizedTexts, _gapTexts;

        public void Add(Measurement measurement)
        {
            (TextAttribution attribution, double[] comprehensiveness, double[] sufficiency, double[] normalizedComprehensiveness, double[] normalizedSufficiency) = measurement;
            for (int l = 0; l < levels; l++)
            {
                _comprehensiveness[l] += comprehensiveness[l];
                _sufficiency[l] += sufficiency[l];
            }
            if (!double.IsNaN(normalizedComprehensiveness[0]))
            {
                _normalizedComprehensiveness += FaithfulnessMetrics.Aopc(normalizedComprehensiveness);
                _normalizedSufficiency += FaithfulnessMetrics.Aopc(normalizedSufficiency);
                _normalizedTexts++;
            }
            _calls += attribution.ModelCalls;
            _seconds += attribution.Seconds;
            if (attribution.CompletenessGap is double gap)
            {
                _gap += gap;
                _gapTexts++;
            }
        }

        public MethodFaithfulness Result(string method, int texts)
        {
            double divisor = Math.Max(1, texts);
            double[] comprehensiveness = _comprehensiveness.Select(v => v / divisor).ToArray();
            double[] sufficiency = _sufficiency.Select(v => v / divisor).ToArray();
            return new MethodFaithfulness(method, texts, comprehensiveness, sufficiency,
                FaithfulnessMetrics.Aopc(comprehensiveness), FaithfulnessMetrics.Aopc(sufficiency),
                _normalizedTexts == 0 ? double.NaN : _normalizedComprehensiveness / _normalizedTexts,
                _normalizedTexts == 0 ? double.NaN : _normalizedSufficiency / _normalizedTexts,
                _calls / divisor, _seconds / divisor, _gapTexts == 0 ? null : _gap / _gapTexts);
        }
    }
}
