using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.UnitTests.Evaluation;

/// <summary>
/// A fake encoder with known answers: a bag-of-words count vector (lower-cased, split on spaces), each word hashed
/// (FNV-1a) into <see cref="Dimension"/> slots. Two texts sharing no word have cosine 0 (barring collisions, which
/// the tests' vocabularies avoid), identical texts cosine 1. Built as an ML.NET CustomMapping transformer.
/// </summary>
internal static class HashEmbedding
{
    public const int Dimension = 4096;

    public sealed class Input
    {
        public string Text { get; set; } = "";
    }

    public sealed class Output
    {
        [VectorType(Dimension)]
        public float[] Embedding { get; set; } = [];
    }

    public static ITransformer Create(MLContext ml) =>
        ml.Transforms.CustomMapping<Input, Output>((i, o) => o.Embedding = Embed(i.Text), contractName: null)
            .Fit(ml.Data.LoadFromEnumerable(Array.Empty<Input>()));

    public static float[] Embed(string text)
    {
        var v = new float[Dimension];
        foreach (string word in text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            v[Slot(word)] += 1;
        return v;
    }

    public static int Slot(string word)
    {
        uint h = 2166136261;
        foreach (char c in word)
            h = (h ^ c) * 16777619;
        return (int)(h % Dimension);
    }
}
