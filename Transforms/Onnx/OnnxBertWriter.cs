using Google.Protobuf;
using MLNetExt.Transforms.IO;
using MLNetExt.Transforms.TokenPruning;
using Onnx;
using static MLNetExt.Transforms.Onnx.OnnxGraphBuilder;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Writes a BERT-family encoder given as plain weights (<see cref="BertWeights"/>: any layer count, heads per layer or
/// hidden size) as an ONNX graph that ONNX
/// Runtime and the text encoder transform run: inputs <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>
/// (int64 [batch, sequence]), output <c>last_hidden_state</c> (float [batch, sequence, hidden]) and, with a head,
/// <c>logits</c> (float [batch, labels], or [batch, sequence, labels] for a per-token head).
/// </summary>
/// <remarks>
/// The graph repeats the node pattern of PyTorch's own BERT export at opset 13 (decomposed LayerNorm, erf GELU,
/// MatMul + Add projections, Reshape/Transpose attention), so ONNX Runtime applies the same fusions to it as to the
/// original all-MiniLM-L6-v2 graph. Linear weights are stored transposed ([in, out]) and named after the parameter,
/// so <see cref="OnnxBertReader"/> reads the graph back. <see cref="OnnxGraphStyle.OnnxRuntimeFused"/> replaces each
/// layer by ONNX Runtime's fused kernels over the same weights.
/// </remarks>
public static class OnnxBertWriter
{
    /// <summary>Names of the graph's inputs, in order.</summary>
    public static readonly IReadOnlyList<string> InputNames = ["input_ids", "attention_mask", "token_type_ids"];

    /// <summary>Writes the encoder (and optional head) to <paramref name="path"/> atomically (temp file, then move).</summary>
    /// <param name="weights">The encoder; every parameter of its configuration must be present.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="head">An optional linear head, written as a <c>logits</c> output.</param>
    /// <param name="style">Portable operators or ONNX Runtime's fused kernels.</param>
    /// <exception cref="ArgumentException">A parameter is missing or has the wrong shape, or the head does not fit the hidden size.</exception>
    public static void Save(BertWeights weights, string path, OnnxLinearHead? head = null, OnnxGraphStyle style = OnnxGraphStyle.Portable)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllBytes(path, ToBytes(weights, head, style));
    }

    /// <summary>The serialized ONNX model (see <see cref="Save"/> for the parameters).</summary>
    /// <exception cref="ArgumentException">A parameter is missing or has the wrong shape, or the head does not fit the hidden size.</exception>
    public static byte[] ToBytes(BertWeights weights, OnnxLinearHead? head = null, OnnxGraphStyle style = OnnxGraphStyle.Portable) =>
        Build(weights, head, style).ToByteArray();

    /// <summary>
    /// The serialized ONNX model of a token-pruned forward (the Latency Adjustable Transformer): after each layer where
    /// <paramref name="tokenKeep"/> cuts (<see cref="TokenKeepSchedule.PrunesAfter"/>) the tokens are ranked by their
    /// attention context contribution and only the number the schedule gives for the next layer go on ([CLS] always
    /// kept, padding never counted). Those layers compute their attention explicitly, then one TopK and one GatherND
    /// cut the tokens; every other layer is the unpruned graph's (ONNX Runtime's fused kernels in the fused style), so a
    /// schedule that keeps everything gives the unpruned graph. The fractions are the initializer
    /// <see cref="OnnxTokenKeep.InitializerName"/>, which <see cref="OnnxTokenKeep.Rewrite"/> changes without rebuilding
    /// the graph for any schedule that cuts after the same layers. <c>last_hidden_state</c> holds only the tokens the
    /// last layer kept (its second dimension is the kept count); a mean-pooling head averages every real token, a dropped
    /// one at the state it had when it was dropped, and other heads look at the kept tokens.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is missing or has the wrong shape, or the schedule has another layer count.</exception>
    public static byte[] ToTokenPrunedBytes(BertWeights weights, TokenKeepSchedule tokenKeep, OnnxLinearHead? head = null, OnnxGraphStyle style = OnnxGraphStyle.OnnxRuntimeFused)
    {
        ArgumentNullException.ThrowIfNull(tokenKeep);
        return Build(weights, head, style, tokenKeep).ToByteArray();
    }

    internal static ModelProto Build(BertWeights weights, OnnxLinearHead? head, OnnxGraphStyle style = OnnxGraphStyle.Portable, TokenKeepSchedule? tokenKeep = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        try
        {
            weights.CheckComplete("the weights to write");
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message, nameof(weights), e);
        }
        BertConfig config = weights.Config;
        if (tokenKeep is not null && tokenKeep.LayerCount != config.LayerCount)
            throw new ArgumentException($"The token keep schedule ({tokenKeep}) has {tokenKeep.LayerCount} fractions but the encoder has {config.LayerCount} layers.", nameof(tokenKeep));
        IReadOnlyDictionary<string, (float[] Data, long[] Shape)> p = weights.Weights;
        var g = new OnnxGraphBuilder();

        var ops = new OnnxLayerBuilder(g, p, config.LayerNormEps);
        string Param(string name) => ops.Param(name);
        string LinearWeight(string prefix) => ops.LinearWeight(prefix);
        string LayerNorm(string x, string prefix) => ops.LayerNorm(x, prefix);
        string Linear(string x, string prefix) => ops.Linear(x, prefix);
        float headScale = MathF.Sqrt(config.HeadSize);

        // Additive attention mask [batch, 1, 1, seq].
        string axis1 = g.Longs("axes_1", [1], 1), axis2 = g.Longs("axes_2", [2], 1), axis0 = g.Longs("axes_0", [0], 1);
        string maskFloat = g.Node("Cast", [g.Node("Unsqueeze", [g.Node("Unsqueeze", ["attention_mask", axis1]), axis2])], null, Int("to", (long)TensorProto.Types.DataType.Float));
        string additiveMask = g.Node("Mul", [g.Node("Sub", [g.Scalar(1f), maskFloat]), g.Scalar(BertConfig.MaskedAttentionScore)]);

        // Embeddings.
        string length = g.Node("Unsqueeze", [g.Node("Gather", [g.Node("Shape", ["input_ids"]), g.Longs("index_1", [1])], null, Int("axis", 0)), axis0]);
        string positionIds = g.Longs("embeddings.position_ids", Enumerable.Range(0, config.MaxPositionEmbeddings).Select(i => (long)i).ToArray(), 1, config.MaxPositionEmbeddings);
        string positions = g.Node("Slice", [positionIds, g.Longs("zero_1d", [0], 1), length, axis1]);
        string sum = g.Node("Add", [
            g.Node("Add", [g.Node("Gather", [Param("embeddings.word_embeddings.weight"), "input_ids"]), g.Node("Gather", [Param("embeddings.token_type_embeddings.weight"), "token_type_ids"])]),
            g.Node("Gather", [Param("embeddings.position_embeddings.weight"), positions])]);
        string x = LayerNorm(sum, "embeddings.LayerNorm");

        bool fused = style == OnnxGraphStyle.OnnxRuntimeFused;
        // The fused Attention's int32 mask [batch, tokens], made when a fused layer first needs it after each cut.
        string? maskIndex = null;
        bool cut = false;
        // Only a schedule that cuts somewhere needs pruning nodes; layers after which nothing is cut run as in the unpruned graph.
        TokenPrunedGraph? pruning = tokenKeep is null || tokenKeep.PruningLayers.Count == 0 ? null : new TokenPrunedGraph(g, tokenKeep);
        string poolingMask = "attention_mask";
        for (int i = 0; i < config.LayerCount; i++)
        {
            string pre = $"encoder.layer.{i}";
            int heads = config.HeadsPerLayer[i];
            if (pruning is not null && tokenKeep!.PrunesAfter(i))
            {
                (x, string probabilities) = RankingLayer(x, pruning.AdditiveMask, pre, heads);
                x = pruning.Prune(x, probabilities, i + 1);
                (maskIndex, cut) = (null, true);
                continue;
            }
            if (fused)
            {
                maskIndex ??= g.Node("Cast", [cut ? pruning!.Mask : "attention_mask"], null, Int("to", (long)TensorProto.Types.DataType.Int32));
                x = FusedLayer(x, pre, heads);
                continue;
            }
            x = ops.AfterAttention(ops.Attention(x, x, pruning?.AdditiveMask ?? additiveMask, pre, heads, config.HeadSize), x, pre);
        }
        g.Node("Identity", [x], "last_hidden_state");
        if (pruning is not null)
            poolingMask = pruning.Mask;

        // A layer whose tokens are ranked after it: explicit attention (for its probabilities); the rest in the requested style.
        (string Output, string Probabilities) RankingLayer(string input, string mask, string pre, int heads)
        {
            string split = g.Longs($"{pre}.split_shape", [0, 0, heads, config.HeadSize], 4);
            string Heads(string name, params long[] perm) =>
                g.Node("Transpose", [g.Node("Reshape", [Linear(input, $"{pre}.attention.self.{name}"), split])], null, Ints("perm", perm));
            string query = Heads("query", 0, 2, 1, 3);
            string key = Heads("key", 0, 2, 3, 1);
            string value = Heads("value", 0, 2, 1, 3);
            string probabilities = g.Node("Softmax", [g.Node("Add", [g.Node("Div", [g.Node("MatMul", [query, key]), g.Scalar(headScale)]), mask])], null, Int("axis", -1));
            string merged = g.Node("Reshape", [
                g.Node("Transpose", [g.Node("MatMul", [probabilities, value])], null, Ints("perm", 0, 2, 1, 3)),
                g.Longs($"{pre}.merge_shape", [0, 0, heads * config.HeadSize], 3)]);
            if (fused)
            {
                string attendedFused = AttentionOutput(merged, input, pre);
                string geluFused = g.DomainNode(OrtDomain, "BiasGelu", [g.Node("MatMul", [attendedFused, LinearWeight($"{pre}.intermediate.dense")]), Param($"{pre}.intermediate.dense.bias")]);
                return (SkipNorm(geluFused, attendedFused, $"{pre}.output.dense", $"{pre}.output.LayerNorm"), probabilities);
            }
            return (ops.AfterAttention(merged, input, pre), probabilities);
        }

        string SkipNorm(string value, string skip, string dense, string norm) => g.DomainNode(OrtDomain, "SkipLayerNormalization",
            [g.Node("MatMul", [value, LinearWeight(dense)]), skip, Param(norm + ".weight"), Param(norm + ".bias"), Param(dense + ".bias")],
            null, Float("epsilon", (float)config.LayerNormEps));

        // The attention output projection, SHRP's expander after it when the weights have one, the residual and LayerNorm (fused).
        string AttentionOutput(string context, string skip, string pre)
        {
            string dense = $"{pre}.attention.output.dense", norm = $"{pre}.attention.output.LayerNorm";
            if (config.ExpanderSize == 0)
                return SkipNorm(context, skip, dense, norm);
            return g.DomainNode(OrtDomain, "SkipLayerNormalization", [ops.Expand(Linear(context, dense), pre), skip, Param(norm + ".weight"), Param(norm + ".bias")],
                null, Float("epsilon", (float)config.LayerNormEps));
        }

        string FusedLayer(string input, string pre, int heads)
        {
            const string Ort = "com.microsoft";
            int width = heads * config.HeadSize;
            string[] parts = ["query", "key", "value"];
            var qkvWeight = new float[config.HiddenSize * 3 * width];
            var qkvBias = new float[3 * width];
            for (int part = 0; part < 3; part++)
            {
                (float[] w, _) = p[$"{pre}.attention.self.{parts[part]}.weight"];
                for (int o = 0; o < width; o++)
                    for (int h = 0; h < config.HiddenSize; h++)
                        qkvWeight[h * 3 * width + part * width + o] = w[o * config.HiddenSize + h];
                p[$"{pre}.attention.self.{parts[part]}.bias"].Data.CopyTo(qkvBias, part * width);
            }
            // A pruned layer (width < hidden) needs no qkv_hidden_sizes: ONNX Runtime takes the query, key and value
            // widths as a third of the packed bias each, and QAttention (int8), which has no such attribute, runs it too.
            var attributes = new List<AttributeProto> { Int("num_heads", heads), Float("mask_filter_value", BertConfig.MaskedAttentionScore) };
            string context = g.DomainNode(Ort, "Attention", [input,
                g.Floats($"{pre}.attention.self.qkv.weight", qkvWeight, config.HiddenSize, 3 * width),
                g.Floats($"{pre}.attention.self.qkv.bias", qkvBias, 3 * width), maskIndex!], null, [.. attributes]);
            string attended = AttentionOutput(context, input, pre);
            string gelu = g.DomainNode(Ort, "BiasGelu", [g.Node("MatMul", [attended, LinearWeight($"{pre}.intermediate.dense")]), Param($"{pre}.intermediate.dense.bias")]);
            return SkipNorm(gelu, attended, $"{pre}.output.dense", $"{pre}.output.LayerNorm");
        }

        var dataType = TensorProto.Types.DataType.Int64;
        foreach (string input in InputNames)
            g.Graph.Input.Add(TensorInfo(input, dataType, "batch", "sequence"));
        g.Graph.Output.Add(TensorInfo("last_hidden_state", TensorProto.Types.DataType.Float, "batch", pruning is null ? "sequence" : "kept_tokens", config.HiddenSize));
        if (head is not null)
            AddHead(g, head, config.HiddenSize, axis1, poolingMask, pruning);

        var modelProto = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "MLNetExt",
            ProducerVersion = typeof(OnnxBertWriter).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = g.Graph,
        };
        modelProto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        if (style == OnnxGraphStyle.OnnxRuntimeFused)
            modelProto.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        modelProto.MetadataProps.Add(new StringStringEntryProto { Key = "config.json", Value = config.ToJson() });
        if (tokenKeep is not null)
            modelProto.MetadataProps.Add(new StringStringEntryProto { Key = OnnxTokenKeep.MetadataKey, Value = tokenKeep.ToString() });
        return modelProto;
    }

    private const string OrtDomain = "com.microsoft";

    private static void AddHead(OnnxGraphBuilder g, OnnxLinearHead head, int hidden, string axis1, string attentionMask, TokenPrunedGraph? pruning = null)
    {
        int labels = head.Bias.Length;
        if (labels == 0 || head.Weight.Length != labels * hidden)
            throw new ArgumentException($"Head weight has {head.Weight.Length} values and {labels} biases; expected {labels} x {hidden} (labels x hidden) and at least one label.", nameof(head));
        string pooled = head.Pooling is { } pooling ? PrunedMean(g, pooling, pruning) ?? Pool(g, pooling, axis1, attentionMask) : "last_hidden_state";
        var transposed = new float[head.Weight.Length];
        for (int o = 0; o < labels; o++)
            for (int i = 0; i < hidden; i++)
                transposed[i * labels + o] = head.Weight[o * hidden + i];
        g.Node("Add", [g.Node("MatMul", [pooled, g.Floats("classifier.weight", transposed, hidden, labels)]), g.Floats("classifier.bias", head.Bias, labels)], "logits");
        g.Graph.Output.Add(head.Pooling is null
            ? TensorInfo("logits", TensorProto.Types.DataType.Float, "batch", "sequence", labels)
            : TensorInfo("logits", TensorProto.Types.DataType.Float, "batch", labels));
    }

    // Mean pooling of a token-pruned graph: every real token counts, a dropped one at the state it had when it was dropped
    // (as TokenPruning.Pool in TorchSharp). Null for other poolings, which look at the kept tokens only.
    private static string? PrunedMean(OnnxGraphBuilder g, EncoderPooling pooling, TokenPrunedGraph? pruning)
    {
        if (pruning is null || pooling is not (EncoderPooling.Mean or EncoderPooling.MeanSqrtLen))
            return null;
        string total = pruning.MaskedSum("last_hidden_state", pruning.Mask);
        if (pruning.Dropped is not null)
            total = g.Node("Add", [total, pruning.Dropped]);
        string count = g.Node("Max", [pruning.RealTokens, g.Scalar(1e-9f)]);
        return g.Node("Div", [total, pooling == EncoderPooling.Mean ? count : g.Node("Sqrt", [count])]);
    }

    // [batch, hidden] from last_hidden_state [batch, seq, hidden] and attention_mask [batch, seq], as EncodeText pools.
    private static string Pool(OnnxGraphBuilder g, EncoderPooling pooling, string axis1, string attentionMask)
    {
        const string Hidden = "last_hidden_state";
        if (pooling == EncoderPooling.Cls)
            return g.Node("Gather", [Hidden, g.Longs("index_0", [0])], null, Int("axis", 1));
        string mask = g.Node("Unsqueeze", [g.Node("Cast", [attentionMask], null, Int("to", (long)TensorProto.Types.DataType.Float)), g.Longs("axes_last", [-1], 1)]);
        if (pooling == EncoderPooling.Max)
        {
            // Padding positions get a very negative value so that they never win (sentence-transformers uses -1e9).
            string padding = g.Node("Mul", [g.Node("Sub", [g.Scalar(1f), mask]), g.Scalar(-1e9f)]);
            return g.Node("ReduceMax", [g.Node("Add", [g.Node("Mul", [Hidden, mask]), padding])], null, Ints("axes", 1), Int("keepdims", 0));
        }
        string total = g.Node("ReduceSum", [g.Node("Mul", [Hidden, mask]), axis1], null, Int("keepdims", 0));
        string count = g.Node("Max", [g.Node("ReduceSum", [mask, axis1], null, Int("keepdims", 0)), g.Scalar(1e-9f)]);
        return pooling switch
        {
            EncoderPooling.Mean => g.Node("Div", [total, count]),
            EncoderPooling.MeanSqrtLen => g.Node("Div", [total, g.Node("Sqrt", [count])]),
            _ => throw new ArgumentOutOfRangeException(nameof(pooling), pooling, $"Unknown pooling {pooling}."),
        };
    }
}
