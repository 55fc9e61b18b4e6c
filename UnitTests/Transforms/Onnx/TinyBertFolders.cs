using System.Text.Json.Nodes;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;

namespace MLNetExt.UnitTests.Transforms.Onnx;

/// <summary>Small random BERT encoders as plain weights, and Hugging Face-layout folders holding them, for graph tests.</summary>
internal static class TinyBertFolders
{
    /// <summary>A word-piece vocabulary of special tokens and a few words.</summary>
    public static readonly string[] Vocabulary =
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "far", "away", "and", "home", "##s"];

    /// <summary>Two layers with 3 and 1 heads of 8 (a head-pruned shape), hidden 24.</summary>
    public static BertConfig Config => new()
    {
        VocabSize = Vocabulary.Length, HiddenSize = 24, HeadsPerLayer = [3, 1], HeadSize = 8, IntermediateSize = 32,
        MaxPositionEmbeddings = 32, TypeVocabSize = 2,
    };

    /// <summary>Every parameter of <paramref name="config"/> drawn at random (LayerNorm scales near 1).</summary>
    public static BertWeights RandomWeights(BertConfig config, int seed)
    {
        var random = new Random(seed);
        var weights = new Dictionary<string, (float[] Data, long[] Shape)>(StringComparer.Ordinal);
        foreach ((string name, long[] shape) in BertWeights.ParameterShapes(config))
        {
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            bool scale = name.EndsWith("LayerNorm.weight", StringComparison.Ordinal);
            for (int i = 0; i < data.Length; i++)
                data[i] = (scale ? 1f : 0f) + (float)(random.NextDouble() - 0.5) * 0.4f;
            weights[name] = (data, shape);
        }
        return new BertWeights(config, weights);
    }

    /// <summary>Writes config.json (with <paramref name="modelType"/>), vocab.txt and <paramref name="onnx"/> as model.onnx into <paramref name="folder"/>.</summary>
    public static EncoderModel Write(string folder, BertConfig config, byte[] onnx, string modelType = "bert")
    {
        Directory.CreateDirectory(folder);
        var json = (JsonObject)JsonNode.Parse(config.ToJson())!;
        json["model_type"] = modelType;
        File.WriteAllText(Path.Combine(folder, "config.json"), json.ToJsonString());
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), Vocabulary);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), onnx);
        return EncoderModel.Load(folder);
    }
}
