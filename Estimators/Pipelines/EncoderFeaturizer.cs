using System.Collections.Concurrent;
using Microsoft.ML;
using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Transforms;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>Searched settings of the text encoder featurizer.</summary>
public sealed class EncoderSearchOptions
{
    /// <summary>Pretrained encoder name (see <see cref="PretrainedEncoders"/>).</summary>
    [Choice("all-MiniLM-L6-v2", "snowflake-arctic-embed-xs")]
    public string Encoder { get; set; } = "all-MiniLM-L6-v2";

    /// <summary>How token vectors become the sentence vector.</summary>
    [Choice]
    public EncoderPooling Pooling { get; set; } = EncoderPooling.Mean;

    /// <summary>Word pieces per text beyond which it is cut (fewer is cheaper).</summary>
    [Choice(32, 64, 128, 256)]
    public int MaxTokens { get; set; } = 64;
}

/// <summary>
/// Sentence embeddings from a pretrained encoder (<c>mlContext.Transforms.Text.EncodeText</c>) as the
/// <c>Features</c> of a sweep. One text column: its embedding. Two: both embeddings plus their
/// <see cref="PairSimilarityFactory">similarity features</see>. More: the embeddings side by side.
/// </summary>
public static class EncoderFeaturizer
{
    private static readonly ConcurrentDictionary<string, EncoderModel> Models = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The pretrained encoder called <paramref name="name"/>, loaded once per process and shared by every trial and baseline.</summary>
    internal static EncoderModel Pretrained(string name) => Models.GetOrAdd(name, n => PretrainedEncoders.Load(n));

    /// <summary>The sweepable encoder featurizer over <paramref name="textColumns"/>.</summary>
    public static SweepableEstimator Create(IReadOnlyList<string> textColumns)
    {
        ArgumentNullException.ThrowIfNull(textColumns);
        if (textColumns.Count == 0)
            throw new ArgumentException("At least one text column is needed.", nameof(textColumns));
        string[] columns = textColumns.ToArray();
        return new SweepableEstimator("encoder", new SearchSpace<EncoderSearchOptions>(), (ml, p) =>
        {
            // Library defaults: all-MiniLM-L6-v2 with its own pooling and token limit.
            EncoderSearchOptions? o = p?.AsType<EncoderSearchOptions>();
            EncoderModel model = Pretrained(o?.Encoder ?? PretrainedEncoders.MiniLM.Name);
            string[] outputs = columns.Length == 1 ? [StockTrainers.Features]
                : columns.Length == 2 ? [PairSimilarityFactory.Left, PairSimilarityFactory.Right]
                : columns.Select((_, i) => "Embedding" + i).ToArray();
            IEstimator<ITransformer>? chain = null;
            for (int i = 0; i < columns.Length; i++)
            {
                var encode = ml.Transforms.Text.EncodeText(new TextEncoderOptions
                {
                    OutputColumnName = outputs[i],
                    InputColumnName = columns[i],
                    Model = model,
                    Pooling = o?.Pooling,
                    MaxTokens = o?.MaxTokens,
                });
                chain = chain is null ? encode : chain.Append(encode);
            }
            if (columns.Length == 1)
                return chain!;
            if (columns.Length == 2)
            {
                return chain!
                    .Append(ml.Transforms.CustomMapping(new PairSimilarityFactory().GetMapping(), PairSimilarityFactory.ContractName))
                    .Append(ml.Transforms.Concatenate(StockTrainers.Features, PairSimilarityFactory.OutputColumn, PairSimilarityFactory.Left, PairSimilarityFactory.Right));
            }
            return chain!.Append(ml.Transforms.Concatenate(StockTrainers.Features, outputs));
        });
    }
}
