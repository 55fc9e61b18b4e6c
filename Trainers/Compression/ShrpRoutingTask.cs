using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// SHRP's routing run as a task of the <see cref="TrainingLoop"/>: a model (a fine-tuned classifier, or a sentence
/// encoder) whose encoder has a Top-1 router per layer (<see cref="ExpertAttentionRouter"/>) and the shared expanders,
/// trained with the inner task's loss (the task loss, distillation from the unpruned model, or both) in three stages
/// over its <see cref="TotalSteps"/>: load balancing (a Switch-style balance loss so that every head keeps being
/// trained), specialisation (an entropy loss sharpens each token's routing; Top-1 usage is counted), then deterministic
/// pruning: the heads the router used least (one global ranking, at least one per layer) fade out while the routing
/// strength fades to zero, so the network at the last step is exactly the pruned network without routers.
/// </summary>
internal sealed class ShrpRoutingTask<TBatch> : ITrainingTask<TBatch>, IDisposable where TBatch : IDisposable
{
    private readonly ShrpModel _model;
    private readonly ITrainingTask<TBatch> _inner;
    private readonly Func<TBatch, Tensor> _attentionMask;
    private readonly ShrpOptions _options;
    private readonly Func<IReadOnlyList<IReadOnlyList<float>>, IReadOnlyList<IReadOnlyList<int>>> _select;
    private int _step;

    /// <summary>
    /// Routes the layers of <paramref name="encoder"/>, part of <paramref name="inner"/>'s module; the loss is
    /// <paramref name="inner"/>'s plus the routing losses; <paramref name="attentionMask"/> finds a batch's mask.
    /// </summary>
    public ShrpRoutingTask(BertModel encoder, ITrainingTask<TBatch> inner, Func<TBatch, Tensor> attentionMask, ShrpOptions options, int totalSteps,
        Func<IReadOnlyList<IReadOnlyList<float>>, IReadOnlyList<IReadOnlyList<int>>> select)
    {
        _model = new ShrpModel(inner.Module, encoder);
        _inner = inner;
        _attentionMask = attentionMask;
        _options = options;
        _select = select;
        TotalSteps = totalSteps;
    }

    /// <summary>Steps of the routing run (the loop's total).</summary>
    public int TotalSteps { get; }

    /// <summary>The heads kept, once chosen at the end of specialisation; null before.</summary>
    public IReadOnlyList<IReadOnlyList<int>>? Kept { get; private set; }

    /// <summary>Top-1 usage share [layer][head] counted during specialisation.</summary>
    public IReadOnlyList<IReadOnlyList<float>> Usage => _model.Routers.Select(r =>
    {
        double total = Math.Max(1, r.Usage.Sum());
        return (IReadOnlyList<float>)r.Usage.Select(u => (float)(u / total)).ToArray();
    }).ToArray();

    public nn.Module Module => _model;
    public int TrainingRowCount => _inner.TrainingRowCount;
    public IReadOnlyList<int>? TrainingRowLengths => _inner.TrainingRowLengths;
    public string? PrimaryMetric => null;
    public bool HigherIsBetter => true;
    public TBatch PrepareBatch(IReadOnlyList<int> rows) => _inner.PrepareBatch(rows);
    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) => new Dictionary<string, double>();

    private double Progress => TotalSteps <= 1 ? 1 : _step / (double)(TotalSteps - 1);
    private double BalanceEnd => _options.BalanceFraction;
    private double SpecializationEnd => _options.BalanceFraction + _options.SpecializationFraction;

    public Tensor Loss(TBatch batch)
    {
        Stage();
        Tensor mask = _attentionMask(batch);
        _model.Route(mask);
        return _inner.Loss(batch) + RoutingLoss(mask);
    }

    public Tensor LossAndGradients(TBatch batch)
    {
        Tensor loss = Loss(batch);
        loss.backward();
        _model.ReleaseProbabilities();
        _step++;
        if (_step == TotalSteps)
            Finish();
        return loss;
    }

    // Balance: H * sum_h f_h * P_h (f: Top-1 share, P: mean probability, over real tokens), mean over layers.
    // Specialisation: the mean entropy of each token's routing distribution.
    private Tensor RoutingLoss(Tensor attentionMask)
    {
        bool balance = Progress < BalanceEnd, specialize = !balance && Progress < SpecializationEnd;
        List<Tensor>[] kept = _model.Routers.Select(r => r.TakeProbabilities()).ToArray();
        _model.Hold(kept);
        if (!balance && !specialize)
            return zeros(1).squeeze();
        using Tensor mask = attentionMask.to_type(ScalarType.Float32).unsqueeze(-1);
        Tensor total = zeros(1).squeeze();
        double tokens = Math.Max(1, mask.sum().item<float>());
        foreach ((ExpertAttentionRouter router, List<Tensor> ps) in _model.Routers.Zip(kept))
        {
            foreach (Tensor p in ps)
            {
                if (balance)
                {
                    var counts = new float[router.Heads];
                    long[] top = p.argmax(-1).reshape(-1).data<long>().ToArray();
                    long[] real = attentionMask.reshape(-1).data<long>().ToArray();
                    for (int i = 0; i < top.Length; i++)
                        if (real[i] != 0)
                            counts[top[i]] += (float)(1 / tokens);
                    using Tensor share = tensor(counts);
                    Tensor meanProbability = (p * mask).sum(new long[] { 0, 1 }) / tokens;
                    total = total + _options.BalanceWeight * router.Heads * (share * meanProbability).sum() / _model.Routers.Count;
                }
                else
                {
                    Tensor entropy = -(p * p.clamp_min(1e-12).log()).sum(-1, keepdim: true);
                    total = total + _options.SpecializationWeight * (entropy * mask).sum() / tokens / _model.Routers.Count;
                }
            }
        }
        return total;
    }

    // Sets the stage's switches before the step's forward pass.
    private void Stage()
    {
        double t = Progress;
        foreach (ExpertAttentionRouter router in _model.Routers)
            router.CountUsage = t >= BalanceEnd && t < SpecializationEnd;
        if (t < SpecializationEnd)
            return;
        Kept ??= _select(Usage);
        double remaining = 1 - (t - SpecializationEnd) / Math.Max(1e-9, 1 - SpecializationEnd);
        for (int layer = 0; layer < _model.Routers.Count; layer++)
        {
            ExpertAttentionRouter router = _model.Routers[layer];
            router.RoutingStrength = remaining;
            for (int h = 0; h < router.Heads; h++)
                router.SetGate(h, Kept[layer].Contains(h) ? 1f : (float)remaining);
        }
    }

    /// <summary>Ends the routing: the kept heads chosen (if the run was too short to reach that stage), removed heads gated to 0, routing strength 0.</summary>
    public void Finish()
    {
        Kept ??= _select(Usage);
        for (int layer = 0; layer < _model.Routers.Count; layer++)
        {
            ExpertAttentionRouter router = _model.Routers[layer];
            router.RoutingStrength = 0;
            router.CountUsage = false;
            for (int h = 0; h < router.Heads; h++)
                router.SetGate(h, Kept[layer].Contains(h) ? 1f : 0f);
        }
    }

    /// <summary>Detaches the routers from the model (the deployed network has none).</summary>
    public void Dispose() => _model.Detach();
}

/// <summary>A model whose encoder's every self-attention is routed by an <see cref="ExpertAttentionRouter"/> (the routers are this module's parameters besides the model's).</summary>
internal sealed class ShrpModel : nn.Module
{
#pragma warning disable IDE1006
    private readonly nn.Module model;
    private readonly TorchSharp.Modules.ModuleList<ExpertAttentionRouter> routers;
#pragma warning restore IDE1006
    private readonly Action _unroute; // not a module field: the encoder is registered once, inside the model
    private List<Tensor>[] _held = [];

    public ShrpModel(nn.Module model, BertModel encoder) : base(nameof(ShrpModel))
    {
        this.model = model;
        var layers = encoder.Layers;
        _unroute = () =>
        {
            foreach (BertLayer layer in layers)
                layer.Attention.SelfAttention.HeadRouter = null;
        };
        routers = nn.ModuleList(layers.Select(l => new ExpertAttentionRouter(encoder.Config.HiddenSize, l.Attention.SelfAttention.Heads)).ToArray());
        for (int i = 0; i < layers.Count; i++)
            layers[i].Attention.SelfAttention.HeadRouter = routers[i].forward;
        RegisterComponents();
    }

    public IReadOnlyList<ExpertAttentionRouter> Routers => routers.ToArray();

    /// <summary>Tells every router which tokens of the coming batch are real.</summary>
    public void Route(Tensor attentionMask)
    {
        foreach (ExpertAttentionRouter router in routers)
            router.TokenMask = attentionMask;
    }

    /// <summary>Keeps the step's routing distributions alive until its backward pass is done.</summary>
    public void Hold(List<Tensor>[] probabilities) => _held = probabilities;

    public void ReleaseProbabilities()
    {
        foreach (Tensor p in _held.SelectMany(l => l))
            p.Dispose();
        _held = [];
        foreach (ExpertAttentionRouter router in routers)
            router.TokenMask = null;
    }

    /// <summary>
    /// Detaches and frees the routers, leaving the model as it was without them. (This module is never disposed
    /// itself: that would free the model's parameters, which belong to the caller.)
    /// </summary>
    public void Detach()
    {
        ReleaseProbabilities();
        _unroute();
        foreach (ExpertAttentionRouter router in routers)
            router.Dispose();
    }
}

/// <summary>What SHRP's routing runs on a classifier and on a sentence encoder set up the same way.</summary>
internal static class ShrpSetup
{
    /// <summary>A TorchSharp encoder of <paramref name="weights"/> with expanders of width <paramref name="expanderSize"/> added (starting at zero).</summary>
    public static BertModel ExpandedEncoder(BertWeights weights, int expanderSize)
    {
        BertConfig config = weights.Config;
        var model = new BertModel(new BertConfig
        {
            VocabSize = config.VocabSize, HiddenSize = config.HiddenSize, HeadsPerLayer = config.HeadsPerLayer, HeadSize = config.HeadSize,
            IntermediateSize = config.IntermediateSize, MaxPositionEmbeddings = config.MaxPositionEmbeddings, TypeVocabSize = config.TypeVocabSize,
            LayerNormEps = config.LayerNormEps, HiddenDropout = config.HiddenDropout, AttentionDropout = config.AttentionDropout,
            ExpanderSize = Math.Max(expanderSize, config.ExpanderSize),
        });
        // Copies every weight the model has a parameter for; parameters without a weight (new expanders) keep their initial values.
        using var noGrad = no_grad();
        foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters())
        {
            if (!weights.Weights.TryGetValue(name, out var w))
                continue;
            using var source = tensor(w.Data, w.Shape);
            parameter.copy_(source);
        }
        return model;
    }

    /// <summary>The loop of a routing run of <see cref="ShrpOptions.RoutingEpochs"/> over <paramref name="rows"/> rows, and its steps (no checkpoints: the usage counts live outside the module).</summary>
    public static (TrainingOptions Loop, int Steps) RoutingLoop(TrainingOptions training, ShrpOptions options, int rows)
    {
        int stepsPerEpoch = (rows + training.BatchSize - 1) / training.BatchSize;
        int steps = Math.Max(1, (int)Math.Ceiling(options.RoutingEpochs * stepsPerEpoch));
        TrainingOptions loop = training.Clone();
        loop.Epochs = (int)Math.Ceiling(options.RoutingEpochs);
        loop.MaxSteps = steps;
        loop.CheckpointDirectory = null;
        return (loop, steps);
    }
}
