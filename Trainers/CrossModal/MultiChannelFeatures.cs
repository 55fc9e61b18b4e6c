namespace MLNetExt.Trainers.CrossModal;

/// <summary>
/// Samples described by several feature channels of fixed widths (e.g. the six feature sets of UCI Multiple
/// Features, or the stains of a Cell Painting image); a sample may miss channels (null).
/// </summary>
public sealed class MultiChannelFeatures
{
    /// <summary>Creates the set and checks every present channel has its declared width.</summary>
    /// <param name="channelNames">A name per channel.</param>
    /// <param name="channelWidths">The width of each channel.</param>
    /// <param name="samples">Per sample, one vector per channel (null: missing).</param>
    /// <exception cref="ArgumentException">A sample has the wrong channel count, a channel of another width, or no channel at all (the message names sample and channel).</exception>
    public MultiChannelFeatures(IReadOnlyList<string> channelNames, IReadOnlyList<int> channelWidths, IReadOnlyList<float[]?[]> samples)
    {
        ArgumentNullException.ThrowIfNull(channelNames);
        ArgumentNullException.ThrowIfNull(channelWidths);
        ArgumentNullException.ThrowIfNull(samples);
        if (channelNames.Count != channelWidths.Count || channelNames.Count == 0)
            throw new ArgumentException($"{channelNames.Count} channel names for {channelWidths.Count} widths; give one name and width per channel.", nameof(channelWidths));
        for (int c = 0; c < channelWidths.Count; c++)
            if (channelWidths[c] < 1)
                throw new ArgumentOutOfRangeException(nameof(channelWidths), channelWidths[c], $"Channel '{channelNames[c]}' needs a positive width.");
        for (int s = 0; s < samples.Count; s++)
        {
            float[]?[] sample = samples[s];
            if (sample.Length != channelWidths.Count)
                throw new ArgumentException($"Sample {s} has {sample.Length} channels, expected {channelWidths.Count}.", nameof(samples));
            if (sample.All(c => c is null))
                throw new ArgumentException($"Sample {s} has no channel; at least one is needed.", nameof(samples));
            for (int c = 0; c < sample.Length; c++)
                if (sample[c] is { } values && values.Length != channelWidths[c])
                    throw new ArgumentException(
                        $"Sample {s}, channel '{channelNames[c]}': {values.Length} values, expected {channelWidths[c]} (channels must have a consistent width).", nameof(samples));
        }
        ChannelNames = channelNames.ToArray();
        ChannelWidths = channelWidths.ToArray();
        Samples = samples;
    }

    /// <summary>Channel names.</summary>
    public IReadOnlyList<string> ChannelNames { get; }

    /// <summary>Channel widths.</summary>
    public IReadOnlyList<int> ChannelWidths { get; }

    /// <summary>The samples.</summary>
    public IReadOnlyList<float[]?[]> Samples { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Samples.Count;

    /// <summary>The same samples with channel <paramref name="channel"/> removed from every one (a missing-channel test).</summary>
    public MultiChannelFeatures WithoutChannel(int channel) =>
        new(ChannelNames, ChannelWidths, Samples.Select(s => s.Select((v, c) => c == channel ? null : v).ToArray()).ToArray());

    /// <summary>The samples at <paramref name="indices"/>.</summary>
    public MultiChannelFeatures Subset(IEnumerable<int> indices) => new(ChannelNames, ChannelWidths, indices.Select(i => Samples[i]).ToArray());
}
