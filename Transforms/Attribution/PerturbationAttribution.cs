using System.Diagnostics;

namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// Shared machinery of the model-agnostic methods: the explained model, a per-text random source that depends only on
/// the seed and the text (so results repeat across runs and threads), and scoring of word masks in batches.
/// </summary>
public abstract class PerturbationAttribution : ITextAttributionMethod
{
    private protected PerturbationAttribution(ExplainedTextModel model, int maxWords, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWords, 1);
        Model = model;
        MaxWords = maxWords;
        Seed = seed;
    }

    /// <summary>The model explained.</summary>
    public ExplainedTextModel Model { get; }

    /// <summary>Words attributed per text; later words are never perturbed and score 0.</summary>
    public int MaxWords { get; }

    /// <summary>Seed of the random choices.</summary>
    public int Seed { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public TextAttribution Attribute(TextInstance input, WordBaseline baseline, AttributionTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Attribute([input], baseline, target, cancellationToken)[0];
    }

    /// <summary>
    /// Attributes several texts, scoring the unperturbed texts and the perturbations that do not depend on the target
    /// (all of occlusion's and KernelSHAP's) of all of them in one pass through the model, so that short texts fill
    /// whole batches; the rest of each method's work (ReAGent's steps) runs text by text. The attributions are those
    /// <see cref="Attribute(TextInstance, WordBaseline, AttributionTarget, CancellationToken)"/> gives for each text
    /// alone; each text's <see cref="TextAttribution.Seconds"/> holds its share of the shared pass (in proportion to its rows).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public IReadOnlyList<TextAttribution> Attribute(IReadOnlyList<TextInstance> inputs, WordBaseline baseline, AttributionTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(target);
        var clock = Stopwatch.StartNew();
        var contexts = new PerturbationContext[inputs.Count];
        var prepared = new IReadOnlyList<TextPair>[inputs.Count];
        var rows = new List<TextPair>();
        for (int t = 0; t < inputs.Count; t++)
        {
            TextInstance input = inputs[t] ?? throw new ArgumentException($"Text {t} is null.", nameof(inputs));
            contexts[t] = new PerturbationContext(this, input, baseline, cancellationToken);
            int attributed = Math.Min(input.Count, MaxWords);
            prepared[t] = attributed > 0 ? Prepare(contexts[t], attributed) : [];
            rows.Add(input.Original);
            rows.AddRange(prepared[t]);
        }
        // The unperturbed texts and their prepared perturbations: one pass.
        float[][] outputs = Model.Score(rows, cancellationToken);
        double shared = clock.Elapsed.TotalSeconds;
        var results = new TextAttribution[inputs.Count];
        int offset = 0;
        for (int t = 0; t < inputs.Count; t++)
        {
            var own = Stopwatch.StartNew();
            PerturbationContext context = contexts[t];
            TextInstance input = inputs[t];
            int count = 1 + prepared[t].Count;
            context.CountCalls(count);
            float[] original = outputs[offset];
            int targetIndex = target.Resolve(original);
            context.TargetIndex = targetIndex;
            context.OriginalValue = original[targetIndex];
            context.Prepared = outputs[(offset + 1)..(offset + count)].Select(o => o[targetIndex]).ToArray();
            offset += count;
            var scores = new float[input.Count];
            int attributed = Math.Min(input.Count, MaxWords);
            int? steps = null;
            if (attributed > 0)
                steps = Compute(context, attributed, scores);
            double seconds = shared * count / rows.Count + own.Elapsed.TotalSeconds;
            results[t] = new TextAttribution(Name, input.Words, scores, input.FirstWordCount, targetIndex, context.OriginalValue, context.ModelCalls, seconds)
            {
                Steps = steps,
            };
        }
        return results;
    }

    /// <summary>
    /// The perturbations a method can make before the target is known; they are scored in the same model pass as the
    /// unperturbed text and their target values are in <see cref="PerturbationContext.Prepared"/> when
    /// <see cref="Compute"/> runs. None by default.
    /// </summary>
    private protected virtual IReadOnlyList<TextPair> Prepare(PerturbationContext context, int words) => [];

    /// <summary>Fills <paramref name="scores"/>[0..<paramref name="words"/>) for the text of <paramref name="context"/>; returns the iteration count of iterative methods.</summary>
    private protected abstract int? Compute(PerturbationContext context, int words, float[] scores);

    /// <summary>One attribution in progress: the text, its baseline, the target, and the model calls spent.</summary>
    private protected sealed class PerturbationContext(PerturbationAttribution method, TextInstance input, WordBaseline baseline, CancellationToken cancellationToken)
    {
        public TextInstance Input { get; } = input;

        public WordBaseline Baseline { get; } = baseline;

        public Random Random { get; } = new(StableSeed(method.Seed, input));

        public int TargetIndex { get; set; }

        public float OriginalValue { get; set; }

        /// <summary>The target value of each text <see cref="Prepare"/> returned, in order.</summary>
        public float[] Prepared { get; set; } = [];

        /// <summary>What a method's <see cref="Prepare"/> keeps for its <see cref="Compute"/> (KernelSHAP's coalitions).</summary>
        public object? Plan { get; set; }

        public long ModelCalls { get; private set; }

        public int OutputLength => method.Model.OutputLength;

        public CancellationToken CancellationToken => cancellationToken;

        public float[][] ScoreOutputs(IReadOnlyList<TextPair> texts)
        {
            float[][] outputs = method.Model.Score(texts, cancellationToken);
            ModelCalls += texts.Count;
            return outputs;
        }

        /// <summary>Counts rows scored for this text outside <see cref="ScoreOutputs"/> (the shared first pass).</summary>
        public void CountCalls(int rows) => ModelCalls += rows;

        /// <summary>The target value of each text.</summary>
        public float[] ScoreTarget(IReadOnlyList<TextPair> texts) => ScoreOutputs(texts).Select(o => o[TargetIndex]).ToArray();

        /// <summary>The text with the words where <paramref name="keep"/> is false taken out per the baseline (words past the mask are kept).</summary>
        public TextPair Perturb(ReadOnlySpan<bool> keep) => Perturb([keep.ToArray()])[0];

        /// <summary>Each mask's text (see <see cref="Perturb(ReadOnlySpan{bool})"/>); a predicted baseline fills them all in one pass.</summary>
        public TextPair[] Perturb(IReadOnlyList<bool[]> keeps) =>
            Baseline.Replace(Input, keeps, Random, cancellationToken).Select(words => Input.Render(i => words[i])).ToArray();

        /// <summary>The output vector of one perturbed text (for stopping rules that look at every class).</summary>
        public float[] Outputs(TextPair text) => ScoreOutputs([text])[0];
    }

    /// <summary>A seed from the method's seed and the text (FNV-1a; string hashes differ between processes).</summary>
    private static int StableSeed(int seed, TextInstance input)
    {
        unchecked
        {
            uint hash = 2166136261u ^ (uint)seed;
            foreach (char c in input.Text + "\u0001" + input.SecondText)
                hash = (hash ^ c) * 16777619u;
            return (int)hash;
        }
    }
}
