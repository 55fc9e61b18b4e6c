using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>
/// Cost-frugal search over a space whose top-level choices pick components (e.g. featurizer and trainer), in the
/// manner of FLAML's learner selection by Estimated Cost for Improvement (ECI): one <see cref="CostFrugalTuner"/> per
/// combination of choices ("arm"), each searching only the sub-spaces its choices make active, and a scheduler that
/// gives the next trial to the arm expected to improve the global best soonest.
/// </summary>
/// <remarks>
/// <para>
/// Convention: a choice at a key in <c>choiceKeys</c> holds string values, and a nested option named after a value
/// is that component's hyperparameters (as <c>SweepablePipeline</c> builds its space). Options outside the active
/// components keep their defaults.
/// </para>
/// <para>
/// Every arm first runs once at its low-cost point, in the order of the choices. Then, for arm k with best loss
/// b_k, time since its last improvement τ_k, last trial cost c_k and improvement speed δ_k (loss gained per second
/// so far), ECI_k = max(τ_k, 2·c_k), raised to (b_k − b*)/δ_k when the arm trails the global best b*; the next
/// arm is drawn with probability proportional to 1/ECI_k, so cheap arms and improving arms are tried more often and
/// expensive stagnant ones still now and then (FLAML draws the same way). Without choice keys it is plain CFO.
/// </para>
/// <para>
/// A component may make other choices meaningless (a fine-tuning trainer reads text, so the featurizer choice does
/// not matter to it): with <c>ignoredChoices</c> its arms drop those keys, so it is one arm, run and costed once,
/// instead of one identical arm per featurizer.
/// </para>
/// <para>
/// An arm whose results stop improving by more than the <see cref="ConvergenceRule"/>'s tolerance over its patience
/// (re-proposed configurations included) has converged: it gets no more trials, and its share of the budget goes to
/// the other arms. When every arm has converged, <see cref="IsConverged"/> tells the sweep to stop.
/// </para>
/// </remarks>
public sealed class EciCostFrugalTuner : IConvergingTuner
{
    private readonly ConvergenceRule _convergence;
    private readonly List<ConvergedArm> _converged = new();
    private readonly SearchSpace _space;
    private readonly List<Arm> _arms = new();
    private readonly Random _random;
    private readonly Dictionary<int, Arm> _pending = new();
    private double _globalBest = double.PositiveInfinity;

    /// <summary>Creates the tuner.</summary>
    /// <param name="searchSpace">The whole space.</param>
    /// <param name="choiceKeys">Top-level choice options that pick components; missing keys are ignored.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="ignoredChoices">For a choice value, the choice keys it makes meaningless (e.g. <c>finetune</c> → <c>featurizer</c>).</param>
    /// <param name="convergence">When an arm has converged; null for the defaults (<see cref="ConvergenceRule.Never"/> turns it off).</param>
    public EciCostFrugalTuner(SearchSpace searchSpace, IReadOnlyList<string> choiceKeys, int seed = 0,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? ignoredChoices = null, ConvergenceRule? convergence = null)
    {
        _space = searchSpace ?? throw new ArgumentNullException(nameof(searchSpace));
        _convergence = convergence ?? new ConvergenceRule();
        _convergence.Validate();
        ArgumentNullException.ThrowIfNull(choiceKeys);
        _random = new Random(seed);
        string[] keys = choiceKeys.Where(k => searchSpace.Options.ContainsKey(k)).ToArray();
        foreach (string key in keys)
            if (searchSpace[key] is not ChoiceOption)
                throw new ArgumentException($"The option '{key}' is not a choice.", nameof(choiceKeys));
        var combinations = new List<(string Key, Parameter Value)[]> { Array.Empty<(string, Parameter)>() };
        foreach (string key in keys)
            combinations = combinations.SelectMany(c => ((ChoiceOption)searchSpace[key]).Choices.Select(v => c.Append((key, v)).ToArray())).ToList();
        if (ignoredChoices is not null)
        {
            // An arm that several combinations collapse into takes the place of the last of them: with trainers
            // listed cheap to expensive, a fine-tuner listed last still has its first run after every other arm's.
            combinations = combinations
                .Select(c => c.Where(kv => !c.Any(o => o.Value.Kind == ParameterKind.String
                    && ignoredChoices.TryGetValue(o.Value.AsString(), out var ignored) && ignored.Contains(kv.Key))).ToArray())
                .Reverse()
                .DistinctBy(c => string.Join("|", c.Select(kv => kv.Key + "=" + kv.Value)))
                .Reverse()
                .ToList();
        }
        int armSeed = seed;
        foreach (var combination in combinations)
        {
            var sub = new SearchSpace();
            foreach (var (key, value) in combination)
                if (value.Kind == ParameterKind.String && searchSpace.Options.TryGetValue(value.AsString(), out OptionBase? nested))
                    sub[value.AsString()] = nested;
            foreach (var (name, option) in searchSpace.Options)
                if (!keys.Contains(name) && !IsComponent(searchSpace, keys, name))
                    sub[name] = option;
            _arms.Add(new Arm(combination, sub, sub.FeatureSpaceDim == 0 ? null : new CostFrugalTuner(sub, seed: armSeed++)));
        }
    }

    /// <summary>Number of arms (combinations of component choices).</summary>
    public int ArmCount => _arms.Count;

    /// <inheritdoc />
    public bool IsConverged => _arms.All(a => a.Converged);

    /// <inheritdoc />
    public IReadOnlyList<ConvergedArm> ConvergedArms => _converged;

    /// <inheritdoc />
    public Parameter Propose(TrialSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Arm arm = _arms.FirstOrDefault(a => a.Trials == 0 && !_pending.ContainsValue(a)) ?? Schedule();
        _pending[settings.TrialId] = arm;
        Parameter full = _space.DefaultParameter();
        foreach (var (key, value) in arm.Choices)
            full[key] = value;
        if (arm.Tuner is not null)
        {
            Parameter own = arm.Tuner.Propose(settings);
            foreach (string key in own.Keys)
                full[key] = own[key];
        }
        return full;
    }

    /// <inheritdoc />
    public void Update(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Parameter p = result.TrialSettings.Parameter;
        _pending.Remove(result.TrialSettings.TrialId);
        Arm? arm = _arms.FirstOrDefault(a => a.Choices.All(c => p.ContainsKey(c.Key) && p[c.Key].Equals(c.Value)));
        if (arm is null)
            return;
        double loss = result.IsFailed || double.IsNaN(result.Loss) ? double.PositiveInfinity : result.Loss;
        double seconds = Math.Max(result.DurationInMilliseconds / 1000, 1e-3);
        bool wasConverged = arm.Converged;
        arm.Observe(loss, seconds, _convergence);
        if (arm.Converged && !wasConverged)
            _converged.Add(new ConvergedArm(arm.Describe(), arm.Trials, result.TrialSettings.TrialId, arm.Best));
        _globalBest = Math.Min(_globalBest, loss);
        if (arm.Tuner is not null)
        {
            var own = Parameter.CreateNestedParameter();
            foreach (string key in arm.Space.Options.Keys.Where(p.ContainsKey))
                own[key] = p[key];
            arm.Tuner.Update(new TrialResult
            {
                TrialSettings = new TrialSettings { TrialId = result.TrialSettings.TrialId, Parameter = own },
                Metric = result.Metric,
                Loss = loss,
                DurationInMilliseconds = result.DurationInMilliseconds,
                Error = result.Error,
            });
        }
    }

    private Arm Schedule()
    {
        // Converged arms get no more trials while another arm is open; once all have converged the sweep stops
        // (a caller that asks anyway gets the arm that holds the best result).
        if (IsConverged)
            return _arms.MinBy(a => a.Best)!;
        double[] weights = _arms.Select(a => a.Converged ? 0 : 1 / a.Eci(_globalBest)).ToArray();
        double total = weights.Sum();
        if (!(total > 0) || double.IsInfinity(total))
            return _arms[_random.Next(_arms.Count)];
        double pick = _random.NextDouble() * total;
        for (int i = 0; i < _arms.Count; i++)
        {
            pick -= weights[i];
            if (pick <= 0 && weights[i] > 0)
                return _arms[i];
        }
        return _arms.Last(a => !a.Converged);
    }

    private static bool IsComponent(SearchSpace space, string[] keys, string name) =>
        keys.Any(k => ((ChoiceOption)space[k]).Choices.Any(c => c.Kind == ParameterKind.String && c.AsString() == name));

    private sealed class Arm(( string Key, Parameter Value)[] choices, SearchSpace space, CostFrugalTuner? tuner)
    {
        public (string Key, Parameter Value)[] Choices { get; } = choices;
        public SearchSpace Space { get; } = space;
        public CostFrugalTuner? Tuner { get; } = tuner;
        public int Trials { get; private set; }
        public bool Converged { get; private set; }
        public double Best => _best;

        private double _best = double.PositiveInfinity;
        private int _stale;
        private double _first = double.PositiveInfinity;
        private double _totalSeconds;
        private double _sinceImprovement;
        private double _lastCost;

        public string Describe() => Choices.Length == 0 ? "(whole space)" : string.Join(" ", Choices.Select(c => $"{c.Key}={(c.Value.Kind == ParameterKind.String ? c.Value.AsString() : c.Value.ToString())}"));

        public void Observe(double loss, double seconds, ConvergenceRule rule)
        {
            Trials++;
            _totalSeconds += seconds;
            _lastCost = seconds;
            if (double.IsPositiveInfinity(_first) && !double.IsPositiveInfinity(loss))
                _first = loss;
            // Convergence counts proposals that do not beat the best by more than the tolerance (a failure counts too).
            bool significant = double.IsPositiveInfinity(_best) ? !double.IsPositiveInfinity(loss) : loss < _best - rule.Tolerance;
            _stale = significant ? 0 : _stale + 1;
            if (_stale >= rule.Patience)
                Converged = true;
            if (loss < _best)
            {
                _best = loss;
                _sinceImprovement = 0;
            }
            else
            {
                _sinceImprovement += seconds;
            }
        }

        public double Eci(double globalBest)
        {
            double eci = Math.Max(_sinceImprovement, 2 * _lastCost);
            if (double.IsPositiveInfinity(_best))
                return eci * 10;   // only failures so far: keep it possible but rare
            if (_best > globalBest)
            {
                double speed = (_first - _best) / _totalSeconds;
                double catchUp = speed > 0 ? (_best - globalBest) / speed : 10 * eci;
                eci = Math.Max(eci, catchUp);
            }
            return Math.Max(eci, 1e-3);
        }
    }
}
