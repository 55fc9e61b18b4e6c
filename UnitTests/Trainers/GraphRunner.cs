using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Runtime;
using MLNetExt.Transforms;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>
/// Runs an encoder graph held in memory through the library's own session wrapper (<see cref="EncoderSession"/>) and
/// batch runner (<see cref="BatchEncoder"/>), for tests that compare graphs: the last hidden state and, when asked
/// for, a head's <c>logits</c>.
/// </summary>
internal sealed class GraphRunner : IDisposable
{
    private readonly EncoderSession _session;
    private readonly BatchEncoder _batch;

    public GraphRunner(byte[] onnx, bool logits = false)
    {
        // Hidden size 0: taken from the graph.
        EncoderModel model = EncoderModel.FromBytes(new EncoderConfig { Name = "graph under test", HiddenSize = 0 }, onnx,
            TrainerTestData.MiniLmVocabulary, "graph-under-test.onnx", "vocab.txt");
        var environment = new MLContext();
        using IChannel channel = ((IHostEnvironment)environment).Start("test");
        _session = EncoderSession.Open(model, new EncoderRuntimeSettings("test", nameof(GraphRunner), EncoderExecutionProvider.Cpu, null, GraphOptimizationLevel.ORT_ENABLE_ALL),
            environment, channel, logits ? ["logits"] : null);
        _batch = new BatchEncoder(_session);
    }

    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => _session.Session.InputMetadata;

    public IReadOnlyList<string> OutputNames => _session.Session.OutputMetadata.Keys.ToArray();

    /// <summary>The batch's last hidden state (rows x length x hidden) or logits (rows x width), with the shape.</summary>
    public (float[] Values, int[] Shape) Run(TokenizedBatch batch, string output = "last_hidden_state")
    {
        _batch.Run(batch.Texts);
        if (output == "last_hidden_state")
            return (_batch.HiddenStates.ToArray(), [_batch.Rows, _batch.Length, _batch.Hidden]);
        if (output != "logits")
            throw new ArgumentOutOfRangeException(nameof(output), output, "Expected last_hidden_state or logits.");
        return (_batch.Extra(0).ToArray(), [_batch.Rows, _batch.ExtraWidth(0)]);
    }

    public void Dispose()
    {
        _batch.Dispose();
        _session.Dispose();
    }
}
