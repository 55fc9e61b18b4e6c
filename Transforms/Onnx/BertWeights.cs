namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// A BERT-family encoder as plain arrays: its <see cref="BertConfig"/> and its parameters by Hugging Face name
/// (<c>embeddings.word_embeddings.weight</c>, <c>encoder.layer.0.attention.self.query.weight</c>, ...) in PyTorch
/// layout (a Linear weight is row-major [out, in]). What <see cref="OnnxBertReader"/> reads and
/// <see cref="OnnxBertWriter"/> writes; MLNetExt.Trainers converts it to and from its TorchSharp <c>BertModel</c>.
/// </summary>
public sealed class BertWeights
{
    private readonly Dictionary<string, (float[] Data, long[] Shape)> _weights;

    /// <summary>Wraps a configuration and its weights; <see cref="OnnxBertWriter"/> checks that every parameter is present.</summary>
    /// <param name="config">The architecture.</param>
    /// <param name="weights">Row-major data and shape by parameter name; extra entries (a pooler, say) are kept and ignored by the writer.</param>
    public BertWeights(BertConfig config, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> weights)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        Config = config;
        _weights = new Dictionary<string, (float[] Data, long[] Shape)>(weights, StringComparer.Ordinal);
    }

    /// <summary>The architecture.</summary>
    public BertConfig Config { get; }

    /// <summary>Weights by parameter name (row-major data and shape).</summary>
    public IReadOnlyDictionary<string, (float[] Data, long[] Shape)> Weights => _weights;

    /// <summary>The names and shapes of the parameters a BERT encoder of <paramref name="config"/> has, embeddings first, then layer by layer.</summary>
    public static IEnumerable<(string Name, long[] Shape)> ParameterShapes(BertConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long hidden = config.HiddenSize, inner = config.IntermediateSize;
        yield return ("embeddings.word_embeddings.weight", [config.VocabSize, hidden]);
        yield return ("embeddings.position_embeddings.weight", [config.MaxPositionEmbeddings, hidden]);
        yield return ("embeddings.token_type_embeddings.weight", [config.TypeVocabSize, hidden]);
        yield return ("embeddings.LayerNorm.weight", [hidden]);
        yield return ("embeddings.LayerNorm.bias", [hidden]);
        for (int i = 0; i < config.LayerCount; i++)
        {
            string pre = $"encoder.layer.{i}";
            long width = (long)config.HeadsPerLayer[i] * config.HeadSize;
            foreach (string part in new[] { "query", "key", "value" })
            {
                yield return ($"{pre}.attention.self.{part}.weight", [width, hidden]);
                yield return ($"{pre}.attention.self.{part}.bias", [width]);
            }
            yield return ($"{pre}.attention.output.dense.weight", [hidden, width]);
            yield return ($"{pre}.attention.output.dense.bias", [hidden]);
            if (config.ExpanderSize > 0)
            {
                yield return ($"{pre}.attention.output.expander.dense_in.weight", [config.ExpanderSize, hidden]);
                yield return ($"{pre}.attention.output.expander.dense_in.bias", [config.ExpanderSize]);
                yield return ($"{pre}.attention.output.expander.dense_out.weight", [hidden, config.ExpanderSize]);
                yield return ($"{pre}.attention.output.expander.dense_out.bias", [hidden]);
            }
            yield return ($"{pre}.attention.output.LayerNorm.weight", [hidden]);
            yield return ($"{pre}.attention.output.LayerNorm.bias", [hidden]);
            yield return ($"{pre}.intermediate.dense.weight", [inner, hidden]);
            yield return ($"{pre}.intermediate.dense.bias", [inner]);
            yield return ($"{pre}.output.dense.weight", [hidden, inner]);
            yield return ($"{pre}.output.dense.bias", [hidden]);
            yield return ($"{pre}.output.LayerNorm.weight", [hidden]);
            yield return ($"{pre}.output.LayerNorm.bias", [hidden]);
        }
    }

    /// <summary>
    /// A shallower encoder made of the embeddings and the given layers of this one, in the given order and renumbered
    /// from 0 (layer dropping, as a distillation student is initialised); the weights are shared, not copied.
    /// </summary>
    /// <param name="layers">Indices of the layers to keep, each in [0, <see cref="BertConfig.LayerCount"/>), no repeats.</param>
    /// <exception cref="ArgumentOutOfRangeException">A layer index is out of range or repeated, or the list is empty; the message names it.</exception>
    public BertWeights KeepLayers(IReadOnlyList<int> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        int count = Config.LayerCount;
        if (layers.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(layers), "Keep at least one layer.");
        foreach (int layer in layers)
            if (layer < 0 || layer >= count)
                throw new ArgumentOutOfRangeException(nameof(layers), layer, $"Layer {layer} does not exist; the model has layers 0 to {count - 1}.");
        if (layers.Distinct().Count() != layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layers), string.Join(", ", layers), $"The layers to keep repeat an index: {string.Join(", ", layers)}.");

        var kept = new Dictionary<string, (float[] Data, long[] Shape)>(StringComparer.Ordinal);
        foreach (var (name, value) in _weights)
        {
            if (!name.StartsWith("encoder.layer.", StringComparison.Ordinal))
                kept[name] = value;
        }
        for (int i = 0; i < layers.Count; i++)
        {
            string from = $"encoder.layer.{layers[i]}.", to = $"encoder.layer.{i}.";
            foreach (var (name, value) in _weights.Where(w => w.Key.StartsWith(from, StringComparison.Ordinal)))
                kept[to + name[from.Length..]] = value;
        }
        return new BertWeights(CopyConfig(layers.Select(l => Config.HeadsPerLayer[l]).ToArray()), kept);
    }

    /// <summary>
    /// A narrower encoder keeping, in each layer, only the given attention heads (head pruning): the rows of the query,
    /// key and value projections and the columns of the attention output projection that belong to the other heads
    /// are removed, so the pruned heads are gone from the weights and from any graph written from them. With every
    /// head kept it computes exactly what this encoder computes; otherwise what this encoder computes with the removed
    /// heads' outputs set to zero. The weights of unpruned parameters are shared, not copied.
    /// </summary>
    /// <param name="heads">One list per layer of the heads (0-based, in [0, heads of that layer)) to keep, each with at least one head.</param>
    /// <exception cref="ArgumentOutOfRangeException">The list does not have one entry per layer, a layer keeps no heads
    /// (a layer without attention is not expressible in this graph), or a head index is out of range or repeated; the message names the layer and value.</exception>
    public BertWeights KeepHeads(IReadOnlyList<IReadOnlyList<int>> heads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        if (heads.Count != Config.LayerCount)
            throw new ArgumentOutOfRangeException(nameof(heads), heads.Count, $"Give the heads to keep for each of the {Config.LayerCount} layers; got {heads.Count} lists.");
        int size = Config.HeadSize, hidden = Config.HiddenSize;
        var kept = new Dictionary<string, (float[] Data, long[] Shape)>(_weights, StringComparer.Ordinal);
        for (int layer = 0; layer < heads.Count; layer++)
        {
            IReadOnlyList<int> keep = heads[layer] ?? throw new ArgumentNullException(nameof(heads), $"The head list of layer {layer} is null.");
            int available = Config.HeadsPerLayer[layer];
            if (keep.Count == 0)
                throw new ArgumentOutOfRangeException(nameof(heads), 0, $"Layer {layer} keeps no heads; each layer needs at least one (drop the layer instead).");
            foreach (int head in keep)
                if (head < 0 || head >= available)
                    throw new ArgumentOutOfRangeException(nameof(heads), head, $"Layer {layer} has heads 0 to {available - 1}; got head {head}.");
            if (keep.Distinct().Count() != keep.Count)
                throw new ArgumentOutOfRangeException(nameof(heads), string.Join(", ", keep), $"Layer {layer} repeats a head: {string.Join(", ", keep)}.");

            string pre = $"encoder.layer.{layer}.attention.";
            int width = keep.Count * size;
            foreach (string part in new[] { "query", "key", "value" })
            {
                (float[] w, _) = _weights[$"{pre}self.{part}.weight"];
                (float[] b, _) = _weights[$"{pre}self.{part}.bias"];
                var rows = new float[width * hidden];
                var bias = new float[width];
                for (int k = 0; k < keep.Count; k++)
                {
                    Array.Copy(w, (long)keep[k] * size * hidden, rows, (long)k * size * hidden, size * hidden);
                    Array.Copy(b, keep[k] * size, bias, k * size, size);
                }
                kept[$"{pre}self.{part}.weight"] = (rows, [width, hidden]);
                kept[$"{pre}self.{part}.bias"] = (bias, [width]);
            }
            (float[] dense, _) = _weights[$"{pre}output.dense.weight"];
            int oldWidth = available * size;
            var columns = new float[hidden * width];
            for (int o = 0; o < hidden; o++)
                for (int k = 0; k < keep.Count; k++)
                    Array.Copy(dense, (long)o * oldWidth + keep[k] * size, columns, (long)o * width + k * size, size);
            kept[$"{pre}output.dense.weight"] = (columns, [hidden, width]);
        }
        return new BertWeights(CopyConfig(heads.Select(h => h.Count).ToArray()), kept);
    }

    private BertConfig CopyConfig(IReadOnlyList<int> headsPerLayer) => new()
    {
        VocabSize = Config.VocabSize,
        HiddenSize = Config.HiddenSize,
        HeadsPerLayer = headsPerLayer,
        HeadSize = Config.HeadSize,
        IntermediateSize = Config.IntermediateSize,
        MaxPositionEmbeddings = Config.MaxPositionEmbeddings,
        TypeVocabSize = Config.TypeVocabSize,
        LayerNormEps = Config.LayerNormEps,
        HiddenDropout = Config.HiddenDropout,
        AttentionDropout = Config.AttentionDropout,
        ExpanderSize = Config.ExpanderSize,
    };

    /// <summary>Throws <see cref="FormatException"/> naming <paramref name="source"/> when a parameter is missing or mis-shaped.</summary>
    internal void CheckComplete(string source)
    {
        Config.Validate();
        foreach ((string name, long[] shape) in ParameterShapes(Config))
        {
            if (!_weights.TryGetValue(name, out var w))
                throw new FormatException($"{source}: the graph has no weight for parameter '{name}'; is it a BERT-family encoder?");
            if (!w.Shape.SequenceEqual(shape) || w.Data.LongLength != shape.Aggregate(1L, (a, b) => a * b))
            {
                throw new FormatException(
                    $"{source}: parameter '{name}' has shape [{string.Join(", ", w.Shape)}] and {w.Data.LongLength} values; expected [{string.Join(", ", shape)}].");
            }
        }
    }
}
