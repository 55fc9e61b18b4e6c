using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.CrossModal;

/// <summary>
/// CellCLIP's channel encoding (Lu et al. 2025, "CellCLIP: Learning Perturbation Effects in Cell Painting via Text-Guided
/// Contrastive Learning"): each channel's vector is projected to a common width, a learned embedding of the channel's
/// identity is added, and a small transformer with a CLS token reads the channels as a sequence; missing channels are
/// masked out of attention, so a sample may have any subset of its channels. The CLS state, normalised and projected,
/// is the sample's embedding in the joint space.
/// </summary>
public sealed class ChannelEncoder : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly ModuleList<Linear> channel_projections;
    private readonly Parameter channel_embeddings;
    private readonly Parameter cls;
    private readonly TransformerEncoder encoder;
    private readonly LayerNorm norm;
    private readonly Linear output;
#pragma warning restore IDE1006
    private readonly int[] _widths;

    /// <summary>Creates the encoder.</summary>
    /// <param name="channelWidths">Width of each channel.</param>
    /// <param name="modelWidth">Width of the channel tokens.</param>
    /// <param name="jointWidth">Width of the joint space.</param>
    /// <param name="layers">Transformer layers.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="dropout">Dropout in the transformer while training.</param>
    public ChannelEncoder(IReadOnlyList<int> channelWidths, int modelWidth, int jointWidth, int layers = 1, int heads = 4, double dropout = 0.1)
        : base(nameof(ChannelEncoder))
    {
        ArgumentNullException.ThrowIfNull(channelWidths);
        _widths = channelWidths.ToArray();
        channel_projections = nn.ModuleList(_widths.Select(w => nn.Linear(w, modelWidth)).ToArray());
        channel_embeddings = nn.Parameter(randn(_widths.Length, modelWidth) * 0.02);
        cls = nn.Parameter(randn(1, 1, modelWidth) * 0.02);
        encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(modelWidth, heads, 2 * modelWidth, dropout), layers);
        norm = nn.LayerNorm(modelWidth);
        output = nn.Linear(modelWidth, jointWidth);
        RegisterComponents();
    }

    /// <summary>
    /// Embeds a batch: <paramref name="features"/> [batch, channels, widest channel] (each channel's values first, zero
    /// padded), <paramref name="present"/> [batch, channels] (bool, false for a missing channel). Returns [batch, joint].
    /// </summary>
    public override Tensor forward(Tensor features, Tensor present)
    {
        using var scope = NewDisposeScope();
        long batch = features.shape[0];
        Tensor[] tokens = new Tensor[_widths.Length];
        for (int c = 0; c < _widths.Length; c++)
            tokens[c] = channel_projections[c].forward(features.select(1, c).narrow(1, 0, _widths[c]));
        Tensor channelTokens = stack(tokens, 1) + channel_embeddings.unsqueeze(0);               // [batch, channels, d]
        Tensor sequence = cat([cls.expand(batch, 1, -1), channelTokens], 1);                   // [batch, 1 + channels, d]
        Tensor padding = cat([zeros(batch, 1, dtype: ScalarType.Bool, device: present.device), present.logical_not()], 1);
        Tensor states = encoder.forward(sequence.transpose(0, 1), null, padding);              // [1 + channels, batch, d]
        return output.forward(norm.forward(states.select(0, 0))).MoveToOuterDisposeScope();
    }
}
