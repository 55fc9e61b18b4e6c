namespace MLNetExt.Trainers.Compression;

/// <summary>
/// The settings of SHRP's routing run (<see cref="HeadPruningMethod.Shrp"/>), shared by the head pruning of fine-tuned
/// classifiers (<see cref="ClassifierHeadPruningOptions.Shrp"/>) and of sentence encoders (<see cref="EncoderHeadPruningOptions.Shrp"/>).
/// </summary>
public sealed class ShrpOptions
{
    /// <summary>Width of the expander feed-forward network shared by the heads of a layer (0 for none). Default 64.</summary>
    public int ExpanderSize { get; set; } = 64;

    /// <summary>Epochs of the routing run over the training rows (before pruning); fractions allowed. Default 1.</summary>
    public double RoutingEpochs { get; set; } = 1;

    /// <summary>Share of the routing run spent on load balancing (every head kept in use). Default 0.2.</summary>
    public double BalanceFraction { get; set; } = 0.2;

    /// <summary>Share of the routing run spent on specialisation (sharper Top-1 routing, usage counted); the rest fades the least-used heads out. Default 0.4.</summary>
    public double SpecializationFraction { get; set; } = 0.4;

    /// <summary>Weight of the load-balancing loss. Default 0.01.</summary>
    public double BalanceWeight { get; set; } = 0.01;

    /// <summary>Weight of the routing-entropy loss during specialisation. Default 0.01.</summary>
    public double SpecializationWeight { get; set; } = 0.01;

    /// <summary>A copy.</summary>
    public ShrpOptions Clone() => (ShrpOptions)MemberwiseClone();

    /// <summary>Checks the settings; throws naming the bad one and its value.</summary>
    internal void Validate()
    {
        if (ExpanderSize < 0)
            throw new ArgumentOutOfRangeException(nameof(ExpanderSize), ExpanderSize, $"ExpanderSize must not be negative; got {ExpanderSize}.");
        if (!(RoutingEpochs > 0) || double.IsInfinity(RoutingEpochs))
            throw new ArgumentOutOfRangeException(nameof(RoutingEpochs), RoutingEpochs, $"RoutingEpochs must be positive; got {RoutingEpochs}.");
        if (!(BalanceFraction >= 0 && SpecializationFraction >= 0 && BalanceFraction + SpecializationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(SpecializationFraction), BalanceFraction + SpecializationFraction,
                $"BalanceFraction ({BalanceFraction}) and SpecializationFraction ({SpecializationFraction}) must be non-negative with a sum below 1 (the rest fades the pruned heads out).");
        if (!(BalanceWeight >= 0) || !(SpecializationWeight >= 0))
            throw new ArgumentOutOfRangeException(nameof(BalanceWeight), $"The SHRP loss weights must not be negative; got balance {BalanceWeight}, specialisation {SpecializationWeight}.");
    }
}
