using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>A context compressor and the decoder that rebuilds texts from its vectors, trained together.</summary>
public sealed class ContextReconstructionModel : nn.Module
{
#pragma warning disable IDE1006
    private readonly ContextCompressorModel compressor;
    private readonly ReconstructionDecoder decoder;
#pragma warning restore IDE1006

    /// <summary>Pairs the two modules (the instance owns them).</summary>
    /// <param name="compressor">The compressor whose vectors the decoder reads.</param>
    /// <param name="decoder">The decoder.</param>
    /// <param name="zeroVectors">The baseline: the decoder gets one zero vector per text instead of the compressor's
    /// vectors (not even their count, which would give the text's length away), so it can only predict from the tokens
    /// before each position.</param>
    public ContextReconstructionModel(ContextCompressorModel compressor, ReconstructionDecoder decoder, bool zeroVectors = false) : base(nameof(ContextReconstructionModel))
    {
        this.compressor = compressor ?? throw new ArgumentNullException(nameof(compressor));
        this.decoder = decoder ?? throw new ArgumentNullException(nameof(decoder));
        ZeroVectors = zeroVectors;
        RegisterComponents();
    }

    /// <summary>Whether the decoder gets zero vectors instead of the compressor's (the baseline).</summary>
    public bool ZeroVectors { get; }

    /// <summary>The compressor.</summary>
    public ContextCompressorModel Compressor => compressor;

    /// <summary>The decoder.</summary>
    public ReconstructionDecoder Decoder => decoder;

    /// <summary>Next-token logits [rows, length - 1, vocabulary] of a batch: tokens 0..n-2 and the compressed vectors predict tokens 1..n-1.</summary>
    public Tensor Logits(CompressedSide batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        long rows = batch.VectorMask.shape[0];
        // The baseline gets one zero vector per text: as many as the compressor gives would tell the decoder the text's length.
        Tensor vectors = ZeroVectors ? zeros(rows, 1, compressor.Dimension, device: batch.VectorMask.device) : batch.Forward(compressor);
        Tensor vectorMask = ZeroVectors ? ones(rows, 1, device: batch.VectorMask.device) : batch.VectorMask;
        long length = batch.Inputs.InputIds.shape[1];
        return decoder.forward(batch.Inputs.InputIds.narrow(1, 0, length - 1), batch.Inputs.AttentionMask.narrow(1, 0, length - 1), vectors, vectorMask)
            .MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Reconstruction training (ARC-Encoder's pretraining task) for the <see cref="TrainingLoop"/>: the decoder must rebuild
/// each text's tokens, teacher-forced, from the text's compressed vectors; the loss is the mean next-token cross-entropy.
/// </summary>
public sealed class ContextReconstructionTask : ITrainingTask<CompressedSide>
{
    private readonly ContextReconstructionModel _model;
    private readonly IReadOnlyList<TokenizedText> _texts;
    private readonly int _ratio;
    private readonly int? _vectorCount;

    /// <summary>Creates the task over tokenized texts compressed at <paramref name="ratio"/> (or <paramref name="vectorCount"/> vectors).</summary>
    public ContextReconstructionTask(ContextReconstructionModel model, IReadOnlyList<TokenizedText> texts, int ratio, int? vectorCount = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _texts = texts ?? throw new ArgumentNullException(nameof(texts));
        ContextPooling.CheckRatio(ratio, vectorCount);
        _ratio = ratio;
        _vectorCount = vectorCount;
    }

    /// <inheritdoc/>
    public nn.Module Module => _model;

    /// <inheritdoc/>
    public int TrainingRowCount => _texts.Count;

    /// <inheritdoc/>
    public IReadOnlyList<int>? TrainingRowLengths => _texts.Select(t => t.Length).ToArray();

    /// <inheritdoc/>
    public string? PrimaryMetric => null;

    /// <inheritdoc/>
    public bool HigherIsBetter => true;

    /// <inheritdoc/>
    public CompressedSide PrepareBatch(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return CompressedSide.Create(rows.Select(i => _texts[i]).ToArray(), _ratio, _vectorCount);
    }

    /// <inheritdoc/>
    public Tensor Loss(CompressedSide batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        Tensor logits = _model.Logits(batch);
        Tensor targets = Targets(batch);
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), targets.reshape(-1), ignore_index: -100).MoveToOuterDisposeScope();
    }

    // Tokens 1..n-1, padding marked -100 (ignored).
    private static Tensor Targets(CompressedSide batch)
    {
        long length = batch.Inputs.InputIds.shape[1];
        Tensor mask = batch.Inputs.AttentionMask.narrow(1, 1, length - 1);
        return batch.Inputs.InputIds.narrow(1, 1, length - 1).masked_fill(mask.eq(0), -100);
    }

    /// <summary>
    /// Token accuracy on <paramref name="texts"/> (eval mode, no gradients): the word pieces (<c>[SEP]</c> not counted)
    /// whose teacher-forced prediction is exactly the token, and of those the first word piece of each text, which the
    /// decoder can only take from the vectors (every text starts with <c>[CLS]</c>).
    /// </summary>
    public ReconstructionAccuracy TokenAccuracy(IReadOnlyList<TokenizedText> texts, int separatorId, int batchSize = 64, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        bool wasTraining = _model.training;
        _model.eval();
        long correct = 0, counted = 0, firstCorrect = 0, firstCounted = 0;
        try
        {
            using var noGrad = no_grad();
            for (int start = 0; start < texts.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using CompressedSide batch = CompressedSide.Create(texts.Skip(start).Take(batchSize).ToArray(), _ratio, _vectorCount);
                Tensor predicted = _model.Logits(batch).argmax(2);
                Tensor targets = Targets(batch);
                Tensor counts = targets.ne(-100).logical_and(targets.ne(separatorId));
                Tensor hits = predicted.eq(targets).logical_and(counts);
                correct += hits.sum().item<long>();
                counted += counts.sum().item<long>();
                firstCorrect += hits.select(1, 0).sum().item<long>();
                firstCounted += counts.select(1, 0).sum().item<long>();
            }
        }
        finally
        {
            _model.train(wasTraining);
        }
        return new ReconstructionAccuracy(correct, counted, firstCorrect, firstCounted);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) => new Dictionary<string, double>();
}

/// <summary>What <see cref="ContextReconstructionTask.TokenAccuracy"/> counts.</summary>
/// <param name="Correct">Word pieces rebuilt exactly.</param>
/// <param name="Counted">Word pieces scored (<c>[SEP]</c> and padding not counted).</param>
/// <param name="FirstCorrect">First word pieces of a text rebuilt exactly (predicted from <c>[CLS]</c> and the vectors only).</param>
/// <param name="FirstCounted">Texts whose first word piece was scored.</param>
public readonly record struct ReconstructionAccuracy(long Correct, long Counted, long FirstCorrect, long FirstCounted)
{
    /// <summary>Correct / Counted, 0 when nothing was counted.</summary>
    public double TokenAccuracy => Counted == 0 ? 0 : (double)Correct / Counted;

    /// <summary>FirstCorrect / FirstCounted, 0 when nothing was counted.</summary>
    public double FirstTokenAccuracy => FirstCounted == 0 ? 0 : (double)FirstCorrect / FirstCounted;
}
