using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Tokenizers;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Onnx;
using MLNetExt.Transforms;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>
/// ML.NET's stock route: a custom mapping tokenizes into fixed-length (max tokens) id/mask/type vectors,
/// <c>ApplyOnnxModel</c> runs the graph one row at a time with a shape dictionary fixing the sequence length, and a
/// second custom mapping mean-pools under the mask and normalises.
/// </summary>
public sealed class MlNetOnnxRunner : IEncodeRunner
{
    private readonly MLContext _mlContext = new();
    private static readonly string[] InputColumns = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputColumns = ["last_hidden_state"];
    private readonly TransformerChain<CustomMappingTransformer<HiddenRow, EmbeddingRow>> _model;
    private const int FixedLength = 256;
    private readonly int _length;

    public MlNetOnnxRunner(EncoderModel model, int threads)
    {
        _length = model.Config.MaxTokens;
        if (_length != FixedLength)
            throw new NotSupportedException($"The ML.NET route is written for {FixedLength}-token models (MiniLM); {model.Name} has {_length}.");
        int length = _length, hidden = model.Config.HiddenSize;
        BertTokenizer tokenizer = model.CreateTokenizer();
        var tokenize = _mlContext.Transforms.CustomMapping<TextRow, TokenRow>((input, output) =>
        {
            var ids = tokenizer.EncodeToIds(input.Text, length, out _, out _, true, true);
            output.input_ids = new long[length];
            output.attention_mask = new long[length];
            output.token_type_ids = new long[length];
            for (int i = 0; i < ids.Count; i++)
            {
                output.input_ids[i] = ids[i];
                output.attention_mask[i] = 1;
            }
        }, contractName: null);
        var onnx = _mlContext.Transforms.ApplyOnnxModel(new OnnxOptions
        {
            ModelFile = model.OnnxPath,
            InputColumns = InputColumns,
            OutputColumns = OutputColumns,
            ShapeDictionary = new Dictionary<string, int[]>
            {
                ["input_ids"] = new[] { 1, length },
                ["attention_mask"] = new[] { 1, length },
                ["token_type_ids"] = new[] { 1, length },
            },
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        });
        var pool = _mlContext.Transforms.CustomMapping<HiddenRow, EmbeddingRow>((input, output) =>
        {
            int tokens = input.attention_mask.Count(m => m != 0);
            output.Embedding = new float[hidden];
            for (int t = 0; t < tokens; t++)
            {
                for (int d = 0; d < hidden; d++)
                    output.Embedding[d] += input.last_hidden_state[t * hidden + d];
            }
            double norm = Math.Sqrt(output.Embedding.Sum(x => (double)x * x));
            for (int d = 0; d < hidden; d++)
                output.Embedding[d] = (float)(output.Embedding[d] / Math.Max(norm, 1e-12));
        }, contractName: null);
        var empty = _mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Text = "" } });
        _model = tokenize.Append(onnx).Append(pool).Fit(empty);
    }

    public string Name => $"ML.NET ApplyOnnxModel (fixed {_length} tokens, custom-mapping tokenization and pooling)";

    public float[][] Encode(string[] texts, CancellationToken cancellationToken)
    {
        IDataView data = _mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }));
        var result = new float[texts.Length][];
        int row = 0;
        foreach (EmbeddingRow output in _mlContext.Data.CreateEnumerable<EmbeddingRow>(_model.Transform(data), reuseRowObject: false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            result[row++] = output.Embedding;
        }
        return result;
    }

    public void Dispose() => _model.Dispose();

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

#pragma warning disable IDE1006, SA1300 // column names are the ONNX graph's
    private sealed class TokenRow
    {
        [VectorType(FixedLength)] public long[] input_ids { get; set; } = Array.Empty<long>();
        [VectorType(FixedLength)] public long[] attention_mask { get; set; } = Array.Empty<long>();
        [VectorType(FixedLength)] public long[] token_type_ids { get; set; } = Array.Empty<long>();
    }

    private sealed class HiddenRow
    {
        public float[] last_hidden_state { get; set; } = Array.Empty<float>();
        [VectorType(FixedLength)] public long[] attention_mask { get; set; } = Array.Empty<long>();
    }
#pragma warning restore IDE1006, SA1300

    private sealed class EmbeddingRow
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }
}
