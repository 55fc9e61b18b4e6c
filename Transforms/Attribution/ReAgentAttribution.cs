namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// ReAGent (Zhao and Shan, 2024), a model-agnostic recursive attribution: word scores start random; each step replaces
/// a random fraction of the words, measures the drop d of the explained probability, and adds logit((d + 1) / 2) to
/// the replaced words' scores and logit((1 - d) / 2) to the kept ones'. It stops once the top words alone (the rest
/// replaced) keep the target among the model's top outputs, or when the model-call cap is reached. Scores are the
/// softmax of the accumulated logits.
/// </summary>
/// <remarks>
/// The reference replaces words with a masked language model's predictions: <see cref="WordBaseline.Predicted"/> does
/// that with a <see cref="MaskedWordPredictor"/> (trained by <c>mlnetext train mlm</c>, as no offline model has a
/// masked-LM head); <see cref="WordBaseline.Sampled"/> (words drawn from the data's unigram distribution), an unknown
/// token or deletion are the alternatives. Each step scores
/// <see cref="ReAgentOptions.PerturbationsPerStep"/> perturbations in one batch and applies their updates in turn.
/// For a scalar target (no classes) there is no top-k rule, so the method runs to its model-call cap.
/// </remarks>
public sealed class ReAgentAttribution : PerturbationAttribution
{
    /// <summary>The method's name.</summary>
    public const string MethodName = "reagent";

    private readonly ReAgentOptions _options;

    /// <summary>ReAGent for <paramref name="model"/>'s words.</summary>
    public ReAgentAttribution(ExplainedTextModel model, ReAgentOptions? options = null)
        : base(model, (options ??= new ReAgentOptions()).MaxWords, options.Seed)
    {
        _options = options;
    }

    /// <inheritdoc/>
    public override string Name => MethodName;

    private protected override int? Compute(PerturbationContext context, int words, float[] scores)
    {
        var logits = new double[words];
        for (int i = 0; i < words; i++)
            logits[i] = context.Random.NextDouble();
        int replaced = Math.Max(1, (int)Math.Round(_options.ReplacingRatio * words));
        replaced = Math.Min(replaced, words);
        int topK = Math.Min(_options.TopK, Math.Max(1, context.OutputLength - 1));
        bool canStop = context.OutputLength > 1;
        var order = Enumerable.Range(0, words).ToArray();
        int steps = 0;
        while (context.ModelCalls + _options.PerturbationsPerStep + (canStop ? 1 : 0) <= _options.MaxModelCalls)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            steps++;
            var masks = new bool[_options.PerturbationsPerStep][];
            for (int p = 0; p < masks.Length; p++)
            {
                var keep = new bool[words];
                Array.Fill(keep, true);
                for (int i = 0; i < replaced; i++)
                {
                    int j = context.Random.Next(i, words);
                    (order[i], order[j]) = (order[j], order[i]);
                    keep[order[i]] = false;
                }
                masks[p] = keep;
            }
            TextPair[] texts = context.Perturb(masks);
            float[] values = context.ScoreTarget(texts);
            for (int p = 0; p < masks.Length; p++)
            {
                double delta = context.OriginalValue - values[p];
                for (int i = 0; i < words; i++)
                    logits[i] += Logit(((masks[p][i] ? -delta : delta) + 1) / 2);
            }
            if (canStop && TopWordsKeepTarget(context, logits, topK))
                break;
        }
        double[] softmax = Softmax(logits);
        for (int i = 0; i < words; i++)
            scores[i] = (float)softmax[i];
        return steps;
    }

    /// <summary>Keeps the top <see cref="ReAgentOptions.KeepTop"/> words, replaces the rest, and checks the target is among the top k outputs.</summary>
    private bool TopWordsKeepTarget(PerturbationContext context, double[] logits, int topK)
    {
        int words = logits.Length;
        var keep = new bool[words];
        foreach (int i in Enumerable.Range(0, words).OrderByDescending(i => logits[i]).Take(_options.KeepTop))
            keep[i] = true;
        float[] outputs = context.Outputs(context.Perturb(keep));
        float target = outputs[context.TargetIndex];
        int above = outputs.Count(o => o > target);
        return above < topK;
    }

    private static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(p / (1 - p));
    }

    private static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        double[] exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = exp.Sum();
        return exp.Select(e => e / sum).ToArray();
    }
}
