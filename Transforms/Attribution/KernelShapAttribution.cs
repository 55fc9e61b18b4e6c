namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// KernelSHAP for words (Lundberg and Lee, 2017): coalitions of words are kept and the rest taken out, the explained
/// output of each is scored (all in one batch), and a linear model fitted with the Shapley kernel weights gives each
/// word's Shapley value estimate. The fit is constrained so the scores add up to f(text) - f(no words).
/// </summary>
/// <remarks>
/// When all 2^n - 2 proper coalitions fit in <see cref="KernelShapOptions.Samples"/>, they are enumerated with their
/// exact kernel weights and the result is the exact Shapley values; otherwise coalition sizes are drawn in proportion
/// to the kernel's total weight per size and members uniformly, each sample weighing 1.
/// </remarks>
public sealed class KernelShapAttribution : PerturbationAttribution
{
    /// <summary>The method's name.</summary>
    public const string MethodName = "kernel-shap";

    private readonly int _samples;

    /// <summary>KernelSHAP of <paramref name="model"/>'s words.</summary>
    public KernelShapAttribution(ExplainedTextModel model, KernelShapOptions? options = null)
        : base(model, (options ??= new KernelShapOptions()).MaxWords, options.Seed)
    {
        _samples = options.Samples;
    }

    /// <inheritdoc/>
    public override string Name => MethodName;

    private protected override IReadOnlyList<TextPair> Prepare(PerturbationContext context, int words)
    {
        List<(bool[] Keep, double Weight)> coalitions = words < 31 && (1L << words) - 2 <= _samples
            ? Enumerate(words)
            : Sample(words, _samples, context.Random);
        context.Plan = coalitions;
        var texts = new List<TextPair>(coalitions.Count + 1) { context.Perturb(new bool[words]) };
        texts.AddRange(coalitions.Select(c => context.Perturb(c.Keep)));
        return texts;
    }

    private protected override int? Compute(PerturbationContext context, int words, float[] scores)
    {
        var coalitions = (List<(bool[] Keep, double Weight)>)context.Plan!;
        float[] values = context.Prepared;
        double empty = values[0], full = context.OriginalValue;
        double[] phi = Fit(words, coalitions, values.AsSpan(1), empty, full);
        for (int i = 0; i < words; i++)
            scores[i] = (float)phi[i];
        return null;
    }

    /// <summary>The Shapley kernel weight of a coalition of <paramref name="size"/> of <paramref name="words"/> words.</summary>
    internal static double KernelWeight(int words, int size) =>
        (words - 1) / (Binomial(words, size) * size * (words - size));

    private static double Binomial(int n, int k)
    {
        double result = 1;
        for (int i = 1; i <= k; i++)
            result = result * (n - k + i) / i;
        return result;
    }

    private static List<(bool[], double)> Enumerate(int words)
    {
        var result = new List<(bool[], double)>();
        for (long mask = 1; mask < (1L << words) - 1; mask++)
        {
            var keep = new bool[words];
            int size = 0;
            for (int i = 0; i < words; i++)
            {
                keep[i] = (mask & (1L << i)) != 0;
                size += keep[i] ? 1 : 0;
            }
            result.Add((keep, KernelWeight(words, size)));
        }
        return result;
    }

    private static List<(bool[], double)> Sample(int words, int samples, Random random)
    {
        // Total kernel weight of all coalitions of size s is proportional to 1 / (s (n - s)).
        var cumulative = new double[words - 1];
        double total = 0;
        for (int s = 1; s < words; s++)
            cumulative[s - 1] = total += 1.0 / (s * (words - s));
        var order = Enumerable.Range(0, words).ToArray();
        var result = new List<(bool[], double)>(samples);
        for (int n = 0; n < samples; n++)
        {
            int index = Array.BinarySearch(cumulative, random.NextDouble() * total);
            int size = (index < 0 ? ~index : index) + 1;
            size = Math.Min(size, words - 1);
            var keep = new bool[words];
            for (int i = 0; i < size; i++)
            {
                int j = random.Next(i, words);
                (order[i], order[j]) = (order[j], order[i]);
                keep[order[i]] = true;
            }
            result.Add((keep, 1.0));
        }
        return result;
    }

    /// <summary>
    /// Weighted least squares under sum(phi) = full - empty: the last word's score is eliminated
    /// (phi_last = full - empty - sum of the others) and the rest solved by Cholesky with a tiny ridge.
    /// </summary>
    internal static double[] Fit(int words, IReadOnlyList<(bool[] Keep, double Weight)> coalitions, ReadOnlySpan<float> values, double empty, double full)
    {
        double total = full - empty;
        var phi = new double[words];
        if (words == 1)
        {
            phi[0] = total;
            return phi;
        }
        int k = words - 1, last = words - 1;
        var a = new double[k, k];
        var b = new double[k];
        var x = new double[k];
        for (int c = 0; c < coalitions.Count; c++)
        {
            (bool[] keep, double w) = coalitions[c];
            double zLast = keep[last] ? 1 : 0;
            double y = values[c] - empty - zLast * total;
            for (int j = 0; j < k; j++)
                x[j] = (keep[j] ? 1 : 0) - zLast;
            for (int i = 0; i < k; i++)
            {
                if (x[i] == 0)
                    continue;
                b[i] += w * x[i] * y;
                for (int j = 0; j < k; j++)
                    a[i, j] += w * x[i] * x[j];
            }
        }
        double trace = 0;
        for (int i = 0; i < k; i++)
            trace += a[i, i];
        double ridge = 1e-7 * Math.Max(trace / k, 1e-12);
        for (int i = 0; i < k; i++)
            a[i, i] += ridge;
        double[] beta = CholeskySolve(a, b);
        double sum = 0;
        for (int i = 0; i < k; i++)
        {
            phi[i] = beta[i];
            sum += beta[i];
        }
        phi[last] = total - sum;
        return phi;
    }

    private static double[] CholeskySolve(double[,] a, double[] b)
    {
        int n = b.Length;
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i, j];
                for (int p = 0; p < j; p++)
                    sum -= l[i, p] * l[j, p];
                l[i, j] = i == j ? Math.Sqrt(Math.Max(sum, 1e-300)) : sum / l[j, j];
            }
        }
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int p = 0; p < i; p++)
                sum -= l[i, p] * y[p];
            y[i] = sum / l[i, i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int p = i + 1; p < n; p++)
                sum -= l[p, i] * x[p];
            x[i] = sum / l[i, i];
        }
        return x;
    }
}
