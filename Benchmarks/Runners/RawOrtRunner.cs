using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using MLNetExt.Transforms;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>
/// The practical fp32 limit: a hand-written loop calling ONNX Runtime directly. Tokenizes everything, sorts all rows
/// by length (not just a window), runs batches over reused pinned buffers and mean-pools with spans.
/// </summary>
public sealed class RawOrtRunner : IEncodeRunner
{
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly int _maxTokens;
    private readonly int _hidden;
    private readonly int _batchSize;

    public RawOrtRunner(EncoderModel model, int threads, int batchSize)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(model.OnnxPath, options);
        _tokenizer = model.CreateTokenizer();
        _maxTokens = model.Config.MaxTokens;
        _hidden = model.Config.HiddenSize;
        _batchSize = batchSize;
    }

    public string Name => "raw ONNX Runtime loop (sorted batches)";

    public float[][] Encode(string[] texts, CancellationToken cancellationToken)
    {
        int[][] ids = texts.Select(t => _tokenizer.EncodeToIds(t, _maxTokens, out _, out _, true, true).ToArray()).ToArray();
        int[] order = Enumerable.Range(0, texts.Length).OrderBy(i => ids[i].Length).ToArray();
        var result = new float[texts.Length][];
        var inputIds = new long[_batchSize * _maxTokens];
        var mask = new long[_batchSize * _maxTokens];
        var types = new long[_batchSize * _maxTokens];
        var states = new float[_batchSize * _maxTokens * _hidden];
        string[] inputNames = { "input_ids", "attention_mask", "token_type_ids" };
        string[] outputNames = { "last_hidden_state" };
        using var runOptions = new RunOptions();

        foreach (int[] batch in order.Chunk(_batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            int length = batch.Max(i => ids[i].Length), cells = batch.Length * length;
            Array.Clear(inputIds, 0, cells);
            Array.Clear(mask, 0, cells);
            for (int r = 0; r < batch.Length; r++)
            {
                int[] row = ids[batch[r]];
                for (int t = 0; t < row.Length; t++)
                {
                    inputIds[r * length + t] = row[t];
                    mask[r * length + t] = 1;
                }
            }
            long[] shape = { batch.Length, length };
            using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputIds.AsMemory(0, cells), shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, cells), shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, types.AsMemory(0, cells), shape);
            using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, states.AsMemory(0, cells * _hidden),
                new long[] { batch.Length, length, _hidden });
            _session.Run(runOptions, inputNames, new[] { idsValue, maskValue, typesValue }, outputNames, new[] { output });

            for (int r = 0; r < batch.Length; r++)
            {
                int tokens = ids[batch[r]].Length;
                var vector = new float[_hidden];
                for (int t = 0; t < tokens; t++)
                    TensorPrimitives.Add(vector, states.AsSpan((r * length + t) * _hidden, _hidden), vector);
                TensorPrimitives.Multiply(vector, 1f / TensorPrimitives.Norm(vector), vector);
                result[batch[r]] = vector;
            }
        }
        return result;
    }

    public void Dispose() => _session.Dispose();
}
