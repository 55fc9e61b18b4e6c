using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>
/// Cost-frugal local search in the manner of FLAML's CFO (Wu, Wang, Huang, "Frugal Optimization for Cost-related
/// Hyperparameters", AAAI 2021): start at a low-cost point and move by randomized direct search with an adaptive step.
/// </summary>
/// <remarks>
/// <para>
/// From the incumbent x with step s the tuner draws a random unit direction u and tries x + s·u; if that is not
/// better it tries x − s·u. A better point becomes the incumbent. After <c>2·d</c> directions in a row without
/// progress the step halves; when it falls below its lower bound the search restarts from a random point with the
/// initial step (FLAML restarts the same way). Because the search moves gradually away from its start, an expensive
/// region (many trees, many epochs) is only entered when the cheaper neighbourhood stops improving: that is the
/// "cost-frugal" part, and it only helps when the start point is the cheap corner of the space.
/// </para>
/// <para>The start point is the search space's default unless <c>lowCostPoint</c> is given.</para>
/// </remarks>
public sealed class CostFrugalTuner : UnitCubeTuner
{
    private const double InitialStepPerSqrtDim = 0.1;
    private readonly double[] _start;
    private readonly double _initialStep;
    private readonly double _minStep;
    private readonly int _patience;

    private double[]? _incumbent;
    private Parameter? _incumbentValue;
    private double _incumbentLoss = double.PositiveInfinity;
    private double _step;
    private double[] _direction = [];
    private bool _minusNext;
    private int _failedDirections;
    private readonly Dictionary<int, Move> _pending = new();

    /// <summary>Creates the tuner.</summary>
    /// <param name="searchSpace">The space to search.</param>
    /// <param name="lowCostPoint">The cheap configuration to start from (missing options take their defaults); null for the space's default.</param>
    /// <param name="seed">Seed of the random directions.</param>
    public CostFrugalTuner(SearchSpace searchSpace, Parameter? lowCostPoint = null, int seed = 0)
        : base(searchSpace, seed)
    {
        _start = lowCostPoint is null ? searchSpace.Default : searchSpace.MappingToFeatureSpace(lowCostPoint);
        _initialStep = InitialStepPerSqrtDim * Math.Sqrt(Dim);
        _step = _initialStep;
        // Discrete axes: a step below half the finest cell moves nothing; continuous axes stop at 1e-3.
        int?[] steps = searchSpace.Step;
        _minStep = steps.All(s => s is not null) ? 0.5 / steps.Max(s => s!.Value) : 1e-3;
        _patience = 2 * Dim;
    }

    /// <summary>The current step size (unit-cube distance).</summary>
    public double StepSize => _step;

    private enum Move { Start, Plus, Minus, Restart }

    /// <inheritdoc />
    protected override double[] ProposePoint(int trialId)
    {
        if (_incumbent is null)
        {
            _pending[trialId] = Move.Start;
            return (double[])_start.Clone();
        }
        // A move that rounds back to the incumbent's own configuration (discrete axes) is skipped as a failure.
        for (int attempt = 0; attempt < 256 && _step >= _minStep; attempt++)
        {
            Move move = _minusNext ? Move.Minus : Move.Plus;
            if (move == Move.Plus)
                _direction = RandomDirection();
            _minusNext = move == Move.Plus;
            double sign = move == Move.Plus ? 1 : -1;
            var x = new double[Dim];
            for (int i = 0; i < Dim; i++)
                x[i] = Math.Clamp(_incumbent[i] + sign * _step * _direction[i], 0, 1);
            if (!SearchSpace.SampleFromFeatureSpace(x).Equals(_incumbentValue))
            {
                _pending[trialId] = move;
                return x;
            }
            if (move == Move.Minus)
                CountFailure();
        }
        return Restart(trialId);
    }

    /// <inheritdoc />
    protected override void OnObserved(int trialId, double[] point, double loss)
    {
        bool known = _pending.Remove(trialId, out Move move);
        bool improved = loss < _incumbentLoss;
        if (improved || _incumbent is null)
        {
            _incumbent = (double[])point.Clone();
            _incumbentValue = SearchSpace.SampleFromFeatureSpace(point);
            _incumbentLoss = loss;
        }
        if (!known)
            return;
        if (move == Move.Plus && improved)
        {
            _minusNext = false;
            _failedDirections = 0;
        }
        else if (move == Move.Minus)
        {
            if (improved)
                _failedDirections = 0;
            else
                CountFailure();
        }
    }

    private double[] Restart(int trialId)
    {
        _step = _initialStep;
        _failedDirections = 0;
        _minusNext = false;
        _incumbent = RandomPoint();
        _incumbentValue = SearchSpace.SampleFromFeatureSpace(_incumbent);
        _incumbentLoss = double.PositiveInfinity;
        _pending[trialId] = Move.Restart;
        return (double[])_incumbent.Clone();
    }

    private void CountFailure()
    {
        if (++_failedDirections >= _patience)
        {
            _step *= 0.5;
            _failedDirections = 0;
        }
    }

    private double[] RandomDirection()
    {
        var u = new double[Dim];
        double norm = 0;
        for (int i = 0; i < Dim; i++)
        {
            u[i] = NextGaussian();
            norm += u[i] * u[i];
        }
        norm = Math.Sqrt(norm);
        for (int i = 0; i < Dim; i++)
            u[i] /= norm;
        return u;
    }
}
