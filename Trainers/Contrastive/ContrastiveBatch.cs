using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>Padded encoder inputs of one text column of a batch, as int64 tensors [rows, length].</summary>
public sealed class EncoderInputs : IDisposable
{
    /// <summary>Wraps the three tensors (the instance disposes them).</summary>
    public EncoderInputs(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
    }

    /// <summary>Token ids.</summary>
    public Tensor InputIds { get; }

    /// <summary>1 for real tokens, 0 for padding.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>Segment ids.</summary>
    public Tensor TokenTypeIds { get; }

    /// <summary>Number of rows.</summary>
    public long Rows => InputIds.shape[0];

    /// <summary>The tensors of a padded tokenizer batch.</summary>
    public static EncoderInputs From(TokenizedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long[] dims = [batch.Rows, batch.Length];
        return new EncoderInputs(tensor(batch.InputIds, dims), tensor(batch.AttentionMask, dims), tensor(batch.TokenTypeIds, dims));
    }

    /// <summary>
    /// Rows <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1, cut to their own longest
    /// row (views of this batch's tensors; dispose them with the caller's scope).
    /// </summary>
    public EncoderInputs Slice(long start, long count)
    {
        Tensor mask = AttentionMask.narrow(0, start, count);
        long length = Math.Max(1, mask.sum(1).max().item<long>());
        return new EncoderInputs(InputIds.narrow(0, start, count).narrow(1, 0, length), mask.narrow(1, 0, length),
            TokenTypeIds.narrow(0, start, count).narrow(1, 0, length));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
    }
}

/// <summary>A training batch of a sentence-embedding loss: one <see cref="EncoderInputs"/> per text column (or view) and optional targets.</summary>
public sealed class ContrastiveBatch : IDisposable
{
    /// <summary>Creates the batch (it disposes what it is given).</summary>
    public ContrastiveBatch(IReadOnlyList<EncoderInputs> columns, Tensor? targets)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
        Targets = targets;
    }

    /// <summary>Encoder inputs per column, each padded to its own longest row.</summary>
    public IReadOnlyList<EncoderInputs> Columns { get; }

    /// <summary>Scores [rows] or teacher embeddings [rows, dim]; null when the loss reads texts only.</summary>
    public Tensor? Targets { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (EncoderInputs c in Columns)
            c.Dispose();
        Targets?.Dispose();
    }
}
