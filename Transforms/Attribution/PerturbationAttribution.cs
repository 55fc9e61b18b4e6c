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
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(target);
        var clock = Stopwatch.StartNew();
        var context = new PerturbationContext(this, input, baseline, cancellationToken);
        int attributed = Math.Min(input.Count, MaxWords);
        // Perturbations that do not depend on the target go through the model with the unperturbed text: one pass.
        IReadOnlyList<TextPair> prepared = attributed > 0 ? Prepare(context, attributed) : [];
        float[][] outputs = context.ScoreOutputs([input.Original, .. prepared]);
        float[] original = outputs[0];
        int targetIndex = target.Resolve(original);
        context.TargetIndex = targetIndex;
        context.OriginalValue = original[targetIndex];
        context.Prepared = outputs[1..].Select(o => o[targetIndex]).ToArray();
        var scores = new float[input.Count];
        int? steps = null;
        if (attributed > 0)
            steps = Compute(context, attributed, scores);
        return new TextAttribution(Name, input.Words, scores, input.FirstWordCount, targetIndex, context.OriginalValue, context.ModelCalls, clock.Elapsed.TotalSeconds)
        {
            Steps = steps,
        };
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
