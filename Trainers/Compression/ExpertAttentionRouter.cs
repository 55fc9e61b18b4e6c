using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// SHRP's Top-1 router of one layer's Expert Attention: a linear map from each token's layer input to a distribution
/// p over the layer's heads (the experts). The weight of head h for a token is
/// <c>g_h (1 + rho (H p_h - 1))</c>: with the router at its zero start, or <c>rho</c> = 0, every weight is the usage
/// gate <c>g_h</c>, so the layer computes exactly the original attention (g = 1) or the pruned one (g = 0 for removed
/// heads). While <see cref="CountUsage"/> is on, the head each real token's p ranks first is counted (Top-1 usage);
/// while training, p is kept for the routing losses of the step (<see cref="TakeProbabilities"/>).
/// </summary>
internal sealed class ExpertAttentionRouter : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Linear gate;
#pragma warning restore IDE1006
    private readonly float[] _usageGate;
    private readonly List<Tensor> _probabilities = [];

    public ExpertAttentionRouter(int hiddenSize, int heads) : base(nameof(ExpertAttentionRouter))
    {
        Heads = heads;
        gate = nn.Linear(hiddenSize, heads);
        using (no_grad())
        {
            gate.weight!.zero_();
            gate.bias!.zero_();
        }
        _usageGate = Enumerable.Repeat(1f, heads).ToArray();
        Usage = new double[heads];
        RegisterComponents();
    }

    /// <summary>Heads (experts) of the layer.</summary>
    public int Heads { get; }

    /// <summary>How strongly the router's distribution moves the head weights, in [0, 1].</summary>
    public double RoutingStrength { get; set; } = 1;

    /// <summary>Count each real token's Top-1 head into <see cref="Usage"/>.</summary>
    public bool CountUsage { get; set; }

    /// <summary>Tokens routed to each head (Top-1) while <see cref="CountUsage"/> was on.</summary>
    public double[] Usage { get; }

    /// <summary>The attention mask [batch, seq] (1 for real tokens) of the batch being routed; set before each forward.</summary>
    public Tensor? TokenMask { get; set; }

    /// <summary>Sets the usage gate g of <paramref name="head"/> (1 kept, 0 removed, between while it fades).</summary>
    public void SetGate(int head, float value) => _usageGate[head] = value;

    /// <summary>The usage gates, by head.</summary>
    public IReadOnlyList<float> Gates => _usageGate;

    /// <summary>Hands over the distributions [batch, seq, heads] kept since the last call (the caller disposes them).</summary>
    public List<Tensor> TakeProbabilities()
    {
        var taken = _probabilities.ToList();
        _probabilities.Clear();
        return taken;
    }

    /// <summary>The head weights [batch, seq, heads] for the layer input <paramref name="hidden"/> [batch, seq, hidden].</summary>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        Tensor p = nn.functional.softmax(gate.forward(hidden), -1);
        if (CountUsage && TokenMask is not null)
        {
            using var noGrad = no_grad();
            long[] top = p.argmax(-1).reshape(-1).data<long>().ToArray();
            long[] real = TokenMask.reshape(-1).data<long>().ToArray();
            for (int i = 0; i < top.Length; i++)
                if (real[i] != 0)
                    Usage[top[i]]++;
        }
        if (training)
            _probabilities.Add(p.alias().DetachFromDisposeScope());
        using Tensor gates = tensor(_usageGate);
        Tensor weights = RoutingStrength == 0
            ? gates.expand(p.shape).clone()
            : gates * (1 + RoutingStrength * (Heads * p - 1));
        return weights.MoveToOuterDisposeScope();
    }
}
