using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Samples;

/// <summary>
/// <c>ITuner</c>: the Propose / Update loop that sweeps run, here on the Branin test function with a model-based
/// (tree-structured Parzen) tuner and with random search. Run: <c>dotnet run --project Samples -- tuner</c>.
/// </summary>
/// <remarks>
/// Prints (seeded, so every run gives the same):
/// <code>
/// random  best Branin value after 40 trials: 0.6955
/// tpe     best Branin value after 40 trials: 0.5204
/// </code>
/// </remarks>
public static class TunerSample
{
    /// <summary>Runs 40 trials with each tuner and prints the best value each reached (Branin's minimum is 0.3979).</summary>
    public static void Example()
    {
        StandardFunction branin = StandardFunction.Branin;
        foreach ((string name, ITuner tuner) in new (string, ITuner)[]
                 {
                     ("random", new RandomSearchTuner(branin.SearchSpace, seed: 1)),
                     ("tpe", new TreeParzenTuner(branin.SearchSpace, seed: 1)),
                 })
        {
            double best = double.PositiveInfinity;
            for (int trial = 0; trial < 40; trial++)
            {
                var settings = new TrialSettings { TrialId = trial, StartedAtUtc = DateTime.UtcNow };
                settings.Parameter = tuner.Propose(settings);
                double value = branin.Evaluate(settings.Parameter);
                tuner.Update(new TrialResult { TrialSettings = settings, Metric = value, Loss = value });
                best = Math.Min(best, value);
            }
            Console.WriteLine($"{name,-7} best Branin value after 40 trials: {best:F4}");
        }
    }
}
