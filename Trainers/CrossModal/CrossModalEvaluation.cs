namespace MLNetExt.Trainers.CrossModal;

/// <summary>Retrieval figures of an alignment whose captions name classes (e.g. "a handwritten digit seven").</summary>
/// <param name="FeatureToCaptionAccuracy">Share of test samples whose nearest caption (cosine) is their own class's.</param>
/// <param name="AccuracyWithoutChannel">The same accuracy with each channel removed from every test sample, by channel name.</param>
/// <param name="TextToFeaturesPrecisionAt10">Per caption, the share of its 10 nearest test samples that belong to its class; averaged over captions.</param>
/// <param name="TextToFeaturesRecallAt10">Per caption, the share of its class's test samples found among its 10 nearest; averaged (at most 10 / class size).</param>
public sealed record CrossModalEvaluationResult(double FeatureToCaptionAccuracy, IReadOnlyDictionary<string, double> AccuracyWithoutChannel,
    double TextToFeaturesPrecisionAt10, double TextToFeaturesRecallAt10);

/// <summary>Evaluates a <see cref="CrossModalModel"/> on labelled test samples and one caption embedding per class.</summary>
public static class CrossModalEvaluation
{
    /// <summary>Scores feature -> caption classification, with each channel missing in turn, and caption -> feature retrieval.</summary>
    /// <param name="model">The towers.</param>
    /// <param name="test">Test samples.</param>
    /// <param name="classes">Class index of each test sample.</param>
    /// <param name="classEmbeddings">The frozen text encoder's embedding of each class's caption.</param>
    public static CrossModalEvaluationResult Evaluate(CrossModalModel model, MultiChannelFeatures test, IReadOnlyList<int> classes, IReadOnlyList<float[]> classEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count != test.Count)
            throw new ArgumentException($"{test.Count} test samples but {classes.Count} classes.", nameof(classes));
        float[][] captions = model.EmbedText(classEmbeddings);
        double Accuracy(MultiChannelFeatures samples)
        {
            float[][] vectors = model.EmbedFeatures(samples);
            return Enumerable.Range(0, vectors.Length).Count(i => ArgMax(captions.Select(c => Dot(c, vectors[i]))) == classes[i]) / (double)vectors.Length;
        }

        var withoutChannel = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int c = 0; c < test.ChannelWidths.Count; c++)
            withoutChannel[test.ChannelNames[c]] = Accuracy(test.WithoutChannel(c));

        float[][] samplesVectors = model.EmbedFeatures(test);
        double precision = 0, recall = 0;
        for (int k = 0; k < captions.Length; k++)
        {
            int[] top = Enumerable.Range(0, samplesVectors.Length).OrderByDescending(i => Dot(captions[k], samplesVectors[i])).Take(10).ToArray();
            int hits = top.Count(i => classes[i] == k);
            int relevant = classes.Count(c => c == k);
            precision += hits / 10.0;
            recall += relevant == 0 ? 0 : hits / (double)relevant;
        }
        return new CrossModalEvaluationResult(Accuracy(test), withoutChannel, precision / captions.Length, recall / captions.Length);
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    private static int ArgMax(IEnumerable<double> values)
    {
        int best = -1, index = 0;
        double bestValue = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (v > bestValue)
            {
                bestValue = v;
                best = index;
            }
            index++;
        }
        return best;
    }
}
