using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>
/// A standard global-optimisation test function with its search space and known minimum, for checking tuners
/// (Branin and Hartmann-6 as in the SMAC, TPE and FLAML papers).
/// </summary>
public sealed class StandardFunction
{
    private readonly Func<double[], double> _function;
    private readonly string[] _names;

    private StandardFunction(string name, SearchSpace space, string[] names, Func<double[], double> function, double minimum)
    {
        Name = name;
        SearchSpace = space;
        _names = names;
        _function = function;
        GlobalMinimum = minimum;
    }

    /// <summary>The function's name.</summary>
    public string Name { get; }

    /// <summary>Its domain as a search space.</summary>
    public SearchSpace SearchSpace { get; }

    /// <summary>The known global minimum.</summary>
    public double GlobalMinimum { get; }

    /// <summary>The value at a proposed configuration.</summary>
    public double Evaluate(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return _function(_names.Select(n => parameter[n].AsDouble()).ToArray());
    }

    /// <summary>Branin-Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]; three global minima of 0.397887.</summary>
    public static StandardFunction Branin { get; } = new(
        "branin",
        new SearchSpace { ["x1"] = new UniformDoubleOption(-5, 10), ["x2"] = new UniformDoubleOption(0, 15) },
        ["x1", "x2"],
        x =>
        {
            const double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
            double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
            return u * u + 10 * (1 - t) * Math.Cos(x[0]) + 10;
        },
        0.397887);

    /// <summary>Hartmann-6 on [0, 1]^6; global minimum −3.32237 (and a local one near −3.20).</summary>
    public static StandardFunction Hartmann6 { get; } = new(
        "hartmann6",
        CubeSpace(6),
        Enumerable.Range(1, 6).Select(i => "x" + i).ToArray(),
        Hartmann6Value,
        -3.32237);

    private static readonly double[] Alpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly double[,] A =
    {
        { 10, 3, 17, 3.5, 1.7, 8 },
        { 0.05, 10, 17, 0.1, 8, 14 },
        { 3, 3.5, 1.7, 10, 17, 8 },
        { 17, 8, 0.05, 10, 0.1, 14 },
    };

    private static readonly double[,] P =
    {
        { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 },
        { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 },
        { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 },
        { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 },
    };

    private static double Hartmann6Value(double[] x)
    {
        double sum = 0;
        for (int i = 0; i < 4; i++)
        {
            double inner = 0;
            for (int j = 0; j < 6; j++)
                inner += A[i, j] * (x[j] - P[i, j]) * (x[j] - P[i, j]);
            sum += Alpha[i] * Math.Exp(-inner);
        }
        return -sum;
    }

    private static SearchSpace CubeSpace(int dim)
    {
        var space = new SearchSpace();
        for (int i = 1; i <= dim; i++)
            space["x" + i] = new UniformDoubleOption(0, 1);
        return space;
    }
}
