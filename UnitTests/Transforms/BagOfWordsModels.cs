using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms.Attribution;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>
/// Models whose true word attributions are known: a linear bag of words (logit = sum of word weights) exposed as a
/// scalar <c>Logit</c>, two-class <c>Probability</c> (softmax of [0, logit]) and a non-numeric <c>Label</c> column.
/// </summary>
internal static class BagOfWordsModels
{
    public static readonly IReadOnlyDictionary<string, float> Weights = new Dictionary<string, float>
    {
        ["great"] = 3f, ["good"] = 1.5f, ["bad"] = -2f, ["boring"] = -1f,
    };

    public sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    public sealed class PairRow
    {
        public string Text { get; set; } = "";
        public string Other { get; set; } = "";
    }

    public sealed class Output
    {
        public float Logit { get; set; }

        [VectorType(2)]
        public float[] Probability { get; set; } = new float[2];

        public string Label { get; set; } = "";
    }

    public static float Logit(string text) =>
        TextInstance.Create(text).Words.Sum(w => Weights.GetValueOrDefault(w.ToLowerInvariant()));

    public static ITransformer Linear(MLContext ml)
    {
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "x" } });
        return ml.Transforms.CustomMapping<TextRow, Output>((input, output) => Fill(Logit(input.Text), output), contractName: null).Fit(data);
    }

    /// <summary>A pair model: the logit of the first text minus the logit of the second.</summary>
    public static ITransformer Pair(MLContext ml)
    {
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new PairRow { Text = "x", Other = "y" } });
        return ml.Transforms.CustomMapping<PairRow, Output>((input, output) => Fill(Logit(input.Text) - Logit(input.Other), output), contractName: null).Fit(data);
    }

    private static void Fill(float logit, Output output)
    {
        output.Logit = logit;
        float p1 = 1f / (1f + MathF.Exp(-logit));
        output.Probability = [1 - p1, p1];
        output.Label = logit > 0 ? "positive" : "negative";
    }

    /// <summary>Wraps a model and counts its <c>Transform</c> calls and the rows they produce (batching checks).</summary>
    public sealed class CountingTransformer(ITransformer inner) : ITransformer
    {
        public int TransformCalls { get; private set; }

        public bool IsRowToRowMapper => inner.IsRowToRowMapper;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inner.GetOutputSchema(inputSchema);

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => inner.GetRowToRowMapper(inputSchema);

        public IDataView Transform(IDataView input)
        {
            TransformCalls++;
            return inner.Transform(input);
        }

        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException();
    }
}
