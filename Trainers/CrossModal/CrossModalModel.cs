using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.CrossModal;

/// <summary>
/// The two fitted towers of a cross-modal alignment: features -> joint space and text embedding -> joint space, with
/// the feature standardisation learnt from the training samples. Vectors come out L2-normalised, ready for cosine
/// retrieval in either direction.
/// </summary>
public sealed class CrossModalModel : IDisposable
{
    private readonly CrossModalNetwork _network;
    private readonly float[][] _mean;
    private readonly float[][] _scale;

    internal CrossModalModel(CrossModalNetwork network, IReadOnlyList<int> widths, float[][] mean, float[][] scale)
    {
        _network = network;
        ChannelWidths = widths.ToArray();
        _mean = mean;
        _scale = scale;
    }

    /// <summary>The channel widths the model expects.</summary>
    public IReadOnlyList<int> ChannelWidths { get; }

    /// <summary>The mode it was trained in.</summary>
    public CrossModalMode Mode => _network.Mode;

    internal CrossModalNetwork Network => _network;

    /// <summary>Joint-space vectors of <paramref name="samples"/> (normalised), in order.</summary>
    public float[][] EmbedFeatures(MultiChannelFeatures samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (!samples.ChannelWidths.SequenceEqual(ChannelWidths))
            throw new ArgumentException($"The samples have channel widths [{string.Join(", ", samples.ChannelWidths)}]; the model expects [{string.Join(", ", ChannelWidths)}].", nameof(samples));
        return Run(() =>
        {
            (Tensor features, Tensor present) = Tensors(samples.Samples, null);
            return _network.EmbedFeatures(features, present);
        });
    }

    /// <summary>Joint-space vectors (normalised) of text embeddings produced by the frozen text encoder.</summary>
    public float[][] EmbedText(IReadOnlyList<float[]> textEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(textEmbeddings);
        return Run(() => _network.EmbedText(tensor(textEmbeddings.SelectMany(v => v).ToArray(), [textEmbeddings.Count, textEmbeddings[0].Length])));
    }

    private float[][] Run(Func<Tensor> embed)
    {
        _network.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor vectors = nn.functional.normalize(embed(), p: 2, dim: 1);
        int width = (int)vectors.shape[1];
        float[] flat = vectors.data<float>().ToArray();
        return Enumerable.Range(0, (int)vectors.shape[0]).Select(i => flat[(i * width)..((i + 1) * width)]).ToArray();
    }

    /// <summary>Standardised features [rows, channels, widest] and presence [rows, channels]; <paramref name="drop"/> marks channels to hide.</summary>
    internal (Tensor Features, Tensor Present) Tensors(IReadOnlyList<float[]?[]> samples, bool[,]? drop)
    {
        int channels = ChannelWidths.Count, widest = ChannelWidths.Max();
        var values = new float[samples.Count * channels * widest];
        var present = new bool[samples.Count * channels];
        for (int s = 0; s < samples.Count; s++)
            for (int c = 0; c < channels; c++)
            {
                if (samples[s][c] is not { } v || (drop is not null && drop[s, c]))
                    continue;
                present[s * channels + c] = true;
                int offset = (s * channels + c) * widest;
                for (int j = 0; j < v.Length; j++)
                    values[offset + j] = (v[j] - _mean[c][j]) * _scale[c][j];
            }
        return (tensor(values, [samples.Count, channels, widest]), tensor(present, [samples.Count, channels]));
    }

    /// <inheritdoc/>
    public void Dispose() => _network.Dispose();
}

/// <summary>The trainable modules of an alignment: the feature tower, the text projection and the log-scale.</summary>
internal sealed class CrossModalNetwork : nn.Module
{
#pragma warning disable IDE1006
    private readonly ChannelEncoder? channel_encoder;
    private readonly Linear? linear_map;
    private readonly Linear? text_projection;
    private readonly Parameter log_scale;
#pragma warning restore IDE1006
    private readonly int[] _widths;

    public CrossModalNetwork(CrossModalMode mode, IReadOnlyList<int> widths, int textWidth, CrossModalAlignmentOptions options) : base(nameof(CrossModalNetwork))
    {
        Mode = mode;
        _widths = widths.ToArray();
        if (mode == CrossModalMode.ChannelEncoder)
        {
            channel_encoder = new ChannelEncoder(widths, options.ChannelWidth, options.JointWidth, options.Layers);
            text_projection = nn.Linear(textWidth, options.JointWidth);
        }
        else
        {
            linear_map = nn.Linear(widths.Sum(), textWidth);
        }
        log_scale = nn.Parameter(tensor((float)Losses.SymmetricInfoNceLoss.InitialLogScale));
        RegisterComponents();
    }

    public CrossModalMode Mode { get; }

    public Tensor LogScale => log_scale;

    public Tensor EmbedFeatures(Tensor features, Tensor present)
    {
        if (channel_encoder is not null)
            return channel_encoder.forward(features, present);
        // LiMBeR: the concatenated features (missing channels are zero, the training mean after standardisation).
        Tensor masked = features * present.unsqueeze(-1).to_type(ScalarType.Float32);
        Tensor flat = cat(_widths.Select((w, c) => masked.select(1, c).narrow(1, 0, w)).ToArray(), 1);
        return linear_map!.forward(flat);
    }

    public Tensor EmbedText(Tensor textEmbeddings) => text_projection is null ? textEmbeddings.alias() : text_projection.forward(textEmbeddings);
}
