using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Transforms;

namespace MLNetExt.Estimators.Baselines;

/// <summary>
/// The zero-training baselines of a text sweep: for a sentence pair scored by regression, the cosine of each
/// pretrained encoder's embeddings under each pooling; for classification, the majority class and, over one text
/// column, a nearest-centroid on each pretrained encoder's embeddings.
/// </summary>
/// <remarks>
/// Mean and mean-sqrt-len pooling differ by a per-sentence factor, so their cosines are equal: only mean is offered.
/// A sentence-pair classification gets the majority class only (turning a cosine into a class needs a threshold,
/// which is training). Encoder baselines read each text at the encoder's own token limit.
/// </remarks>
public static class SweepBaselines
{
    /// <summary>The poolings whose cosines differ (mean-sqrt-len gives the same cosine as mean).</summary>
    public static IReadOnlyList<EncoderPooling> CosinePoolings { get; } = [EncoderPooling.Mean, EncoderPooling.Cls, EncoderPooling.Max];

    /// <summary>The baselines for <paramref name="task"/> over <paramref name="textColumns"/>.</summary>
    /// <param name="task">Classification or regression.</param>
    /// <param name="textColumns">The text columns of the sweep.</param>
    /// <param name="encoders">Pretrained encoder names to build embedding baselines from (none: only the majority class, for classification).</param>
    public static IReadOnlyList<SweepBaseline> For(SweepTask task, IReadOnlyList<string> textColumns, IReadOnlyList<string> encoders)
    {
        ArgumentNullException.ThrowIfNull(textColumns);
        ArgumentNullException.ThrowIfNull(encoders);
        var list = new List<SweepBaseline>();
        if (task == SweepTask.Classification)
        {
            list.Add(MajorityClass());
            if (textColumns.Count == 1)
                list.AddRange(encoders.Select(e => NearestCentroid(textColumns[0], e)));
        }
        else if (textColumns.Count == 2)
        {
            foreach (string encoder in encoders)
                list.AddRange(CosinePoolings.Select(p => PairCosine(textColumns[0], textColumns[1], encoder, p)));
        }
        return list;
    }

    /// <summary>The most frequent class of the training rows, whatever the text.</summary>
    public static SweepBaseline MajorityClass() =>
        new("majority-class", (ml, train) => CentroidClassifierTransformer.FitMajority(ml, train, StockTrainers.Label));

    /// <summary>The class whose centroid of training embeddings (<paramref name="encoder"/>, its own pooling) is nearest in cosine.</summary>
    public static SweepBaseline NearestCentroid(string textColumn, string encoder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(textColumn);
        EncoderPooling pooling = PretrainedEncoders.Get(encoder).Config.Pooling;
        return new($"nearest-centroid(Encoder={encoder} Pooling={pooling})", (ml, train) =>
        {
            const string embedding = "BaselineEmbedding";
            TextEncoderTransformer encode = ml.Transforms.Text.EncodeText(new TextEncoderOptions
            {
                OutputColumnName = embedding,
                InputColumnName = textColumn,
                Model = EncoderFeaturizer.Pretrained(encoder),
            }).Fit(train);
            var centroids = CentroidClassifierTransformer.FitNearestCentroid(ml, encode.Transform(train), StockTrainers.Label, embedding);
            return new TransformerChain<ITransformer>(encode, centroids);
        });
    }

    /// <summary>The cosine of the two sentences' embeddings (<paramref name="encoder"/>, <paramref name="pooling"/>) as the score.</summary>
    public static SweepBaseline PairCosine(string left, string right, string encoder, EncoderPooling pooling)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(left);
        ArgumentException.ThrowIfNullOrWhiteSpace(right);
        PretrainedEncoders.Get(encoder);
        return new($"cosine(Encoder={encoder} Pooling={pooling})", (ml, train) =>
            PairCosineScorer(ml, left, right, EncoderFeaturizer.Pretrained(encoder), pooling).Fit(train));
    }

    /// <summary>
    /// The pair cosine model over <paramref name="model"/>: each sentence encoded (<paramref name="pooling"/>, null for the
    /// model's own; the encoder's own token limit), then the cosine of the two as <c>Score</c>.
    /// </summary>
    internal static IEstimator<ITransformer> PairCosineScorer(MLContext ml, string left, string right, EncoderModel model, EncoderPooling? pooling) =>
        ml.Transforms.Text.EncodeText(new TextEncoderOptions { OutputColumnName = PairSimilarityFactory.Left, InputColumnName = left, Model = model, Pooling = pooling })
            .Append(ml.Transforms.Text.EncodeText(new TextEncoderOptions { OutputColumnName = PairSimilarityFactory.Right, InputColumnName = right, Model = model, Pooling = pooling }))
            .Append(ml.Transforms.CustomMapping(new PairCosineFactory().GetMapping(), PairCosineFactory.ContractName));
}
