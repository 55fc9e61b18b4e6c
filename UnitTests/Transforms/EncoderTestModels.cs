using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>Shared fixtures: the pretrained encoders in a test cache folder, small in-memory data, vector helpers.</summary>
internal static class EncoderTestModels
{
    private static readonly Lazy<EncoderModel> s_miniLM = new(() => PretrainedEncoders.Load("minilm", Options));
    private static readonly Lazy<EncoderModel> s_arctic = new(() => PretrainedEncoders.Load("arctic-xs", Options));

    /// <summary>A cache folder reused across test runs (materialisation is atomic, so sharing it is safe).</summary>
    public static PretrainedEncoderOptions Options => new() { CacheDirectory = Path.Combine(Path.GetTempPath(), "mlnetext-test-cache") };

    public static EncoderModel MiniLM => s_miniLM.Value;

    public static EncoderModel ArcticXs => s_arctic.Value;

    public sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    public sealed class PairRow
    {
        public string Text { get; set; } = "";

        public string Other { get; set; } = "";
    }

    public sealed class NumberRow
    {
        public float Text { get; set; }
    }

    public static IDataView Texts(MLContext mlContext, params string[] texts) =>
        mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }));

    public static List<float[]> ReadVectors(IDataView view, string column)
    {
        var result = new List<float[]>();
        var col = view.Schema[column];
        using var cursor = view.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.DenseValues().ToArray());
        }
        return result;
    }

    public static List<string[]> ReadTexts(IDataView view, string column)
    {
        var result = new List<string[]>();
        var col = view.Schema[column];
        using var cursor = view.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(col);
        VBuffer<ReadOnlyMemory<char>> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.DenseValues().Select(m => m.ToString()).ToArray());
        }
        return result;
    }

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

    public static double Norm(float[] a) => Math.Sqrt(a.Sum(x => (double)x * x));
}
