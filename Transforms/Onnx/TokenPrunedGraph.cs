using MLNetExt.Transforms.TokenPruning;
using Onnx;
using static MLNetExt.Transforms.Onnx.OnnxGraphBuilder;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// The token-pruning nodes of a graph written by <see cref="OnnxBertWriter.ToTokenPrunedBytes"/>: the current mask and
/// additive attention mask, and <see cref="Prune"/>, which ranks the tokens by attention context contribution and
/// gathers the kept ones for the next layer. Mirrors <c>TokenPruning.Prune</c> of the TorchSharp modules.
/// </summary>
internal sealed class TokenPrunedGraph
{
    // Scores that put [CLS] first and padding last whatever the attention says (contributions lie in [0, tokens]).
    private const float Forced = 1e9f;

    private readonly OnnxGraphBuilder _g;
    private readonly string _schedule;
    private readonly string _realTokens;

    public TokenPrunedGraph(OnnxGraphBuilder g, TokenKeepSchedule schedule)
    {
        _g = g;
        _schedule = g.Floats(OnnxTokenKeep.InitializerName, schedule.Fractions.ToArray(), schedule.LayerCount);
        Mask = g.Node("Cast", ["attention_mask"], null, Int("to", (long)TensorProto.Types.DataType.Float));
        _realTokens = g.Node("ReduceSum", [Mask, g.Longs("token_pruning.axes_1", [1], 1)], null, Int("keepdims", 1));
        AdditiveMask = Additive(Mask);
    }

    /// <summary>The current 0/1 mask [batch, tokens] (float): 1 for the tokens kept so far.</summary>
    public string Mask { get; private set; }

    /// <summary>The current additive attention mask [batch, 1, 1, tokens].</summary>
    public string AdditiveMask { get; private set; }

    /// <summary>Real tokens per row [batch, 1] (float), the count mean pooling divides by.</summary>
    public string RealTokens => _realTokens;

    /// <summary>
    /// Sum of the states of the tokens dropped so far, each at the layer that dropped it [batch, hidden], or null
    /// before the first <see cref="Prune"/>: mean pooling adds it so that every real token still counts.
    /// </summary>
    public string? Dropped { get; private set; }

    /// <summary>
    /// Keeps, of <paramref name="hidden"/> [batch, tokens, hidden], the tokens layer <paramref name="nextLayer"/> should
    /// see, ranked by the attention context contribution of <paramref name="probabilities"/> [batch, heads, tokens, tokens]
    /// (the attention each token received from the real tokens, summed over heads and queries); returns the gathered
    /// states [batch, kept, hidden] and updates <see cref="Mask"/> and <see cref="AdditiveMask"/>.
    /// </summary>
    public string Prune(string hidden, string probabilities, int nextLayer)
    {
        var g = _g;
        string queryMask = g.Node("Unsqueeze", [Mask, g.Longs(g.Name("token_pruning.axes_13"), [1, 3], 2)]);
        string contribution = g.Node("ReduceSum", [g.Node("Mul", [probabilities, queryMask]), g.Longs(g.Name("token_pruning.axes_12"), [1, 2], 2)], null, Int("keepdims", 0));
        // Padding at -1e9, then [CLS] (position 0) at +1e9.
        string ranked = g.Node("Add", [g.Node("Mul", [contribution, Mask]), g.Node("Mul", [g.Node("Sub", [Mask, g.Scalar(1f)]), g.Scalar(Forced)])]);
        string one = g.Longs(g.Name("token_pruning.one"), [1], 1), zero = g.Longs(g.Name("token_pruning.zero"), [0], 1);
        string axis = g.Longs(g.Name("token_pruning.axis"), [1], 1);
        string cls = g.Node("Add", [g.Node("Slice", [ranked, zero, one, axis]), g.Scalar(2 * Forced)]);
        string rest = g.Node("Slice", [ranked, one, g.Longs(g.Name("token_pruning.end"), [long.MaxValue], 1), axis]);
        ranked = g.Node("Concat", [cls, rest], null, Int("axis", 1));

        // Per row max(1, ceil(fraction * real tokens)) in float32, as TokenKeepSchedule counts.
        string fraction = g.Node("Gather", [_schedule, g.Longs(g.Name("token_pruning.layer"), [nextLayer])], null, Int("axis", 0));
        string kept = g.Node("Max", [g.Node("Ceil", [g.Node("Mul", [_realTokens, fraction])]), g.Scalar(1f)]);
        string widest = g.Node("ReduceMax", [kept], null, Int("keepdims", 0));
        string k = g.Node("Cast", [g.Node("Reshape", [widest, one])], null, Int("to", (long)TensorProto.Types.DataType.Int64));

        string indices = g.Name("token_pruning.indices");
        var topK = new NodeProto { OpType = "TopK", Name = g.Name("TopK_node") };
        topK.Input.AddRange([ranked, k]);
        topK.Output.AddRange([g.Name("token_pruning.values"), indices]);
        topK.Attribute.AddRange([Int("axis", 1), Int("largest", 1), Int("sorted", 1)]);
        g.Graph.Node.Add(topK);

        string gathered = g.Node("GatherND", [hidden, g.Node("Unsqueeze", [indices, g.Longs(g.Name("token_pruning.axes_last"), [-1], 1)])], null, Int("batch_dims", 1));
        // Sorted descending, so a row's first `kept` positions are its tokens; the rest (rows shorter than the widest) are padding.
        string positions = g.Node("Range", [g.Scalar0(0f), widest, g.Scalar0(1f)]);
        string before = MaskedSum(hidden, Mask);
        Mask = g.Node("Cast", [g.Node("Less", [g.Node("Unsqueeze", [positions, zero]), kept])], null, Int("to", (long)TensorProto.Types.DataType.Float));
        AdditiveMask = Additive(Mask);
        string droppedNow = g.Node("Sub", [before, MaskedSum(gathered, Mask)]);
        Dropped = Dropped is null ? droppedNow : g.Node("Add", [Dropped, droppedNow]);
        return gathered;
    }

    /// <summary>Sum over the tokens of <paramref name="hidden"/> [batch, tokens, hidden] where <paramref name="mask"/> is 1: [batch, hidden].</summary>
    public string MaskedSum(string hidden, string mask)
    {
        string expanded = _g.Node("Unsqueeze", [mask, _g.Longs(_g.Name("token_pruning.axes_last"), [-1], 1)]);
        return _g.Node("ReduceSum", [_g.Node("Mul", [hidden, expanded]), _g.Longs(_g.Name("token_pruning.axes_1"), [1], 1)], null, Int("keepdims", 0));
    }

    private string Additive(string mask)
    {
        string expanded = _g.Node("Unsqueeze", [mask, _g.Longs(_g.Name("token_pruning.axes_12"), [1, 2], 2)]);
        return _g.Node("Mul", [_g.Node("Sub", [_g.Scalar(1f), expanded]), _g.Scalar(BertConfig.MaskedAttentionScore)]);
    }
}
