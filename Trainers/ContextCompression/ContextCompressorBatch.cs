using MLNetExt.Trainers.Contrastive;
using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>One side of a batch for a <see cref="ContextCompressorModel"/>: padded encoder inputs, pooling matrices and the mask of real vectors.</summary>
public sealed class CompressedSide : IDisposable
{
    private CompressedSide(EncoderInputs inputs, Tensor pooling, Tensor vectorMask)
    {
        Inputs = inputs;
        Pooling = pooling;
        VectorMask = vectorMask;
    }

    /// <summary>Encoder inputs [rows, length].</summary>
    public EncoderInputs Inputs { get; }

    /// <summary>Pooling matrices [rows, vectors, length] (a padding vector's row is all zero).</summary>
    public Tensor Pooling { get; }

    /// <summary>1 for a real vector, 0 for padding [rows, vectors].</summary>
    public Tensor VectorMask { get; }

    /// <summary>
    /// Pads <paramref name="rows"/> and builds each row's pooling matrix: consecutive groups of <paramref name="ratio"/>
    /// word pieces, or <paramref name="fixedCount"/> near-equal groups, as <see cref="LearnedContextCompressor"/> serves them.
    /// </summary>
    public static CompressedSide Create(IReadOnlyList<TokenizedText> rows, int ratio, int? fixedCount = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        TokenizedBatch batch = TokenizedBatch.Pad(rows);
        int length = batch.Length;
        var matrices = new float[rows.Count][];
        var counts = new int[rows.Count];
        for (int r = 0; r < rows.Count; r++)
            matrices[r] = ContextPooling.PoolingMatrix(rows[r].Length, ratio, fixedCount, out counts[r]);
        int vectors = counts.Max();
        var pooling = new float[rows.Count * vectors * length];
        var mask = new float[rows.Count * vectors];
        for (int r = 0; r < rows.Count; r++)
        {
            int tokens = rows[r].Length;
            for (int k = 0; k < counts[r]; k++)
            {
                Array.Copy(matrices[r], k * tokens, pooling, ((long)r * vectors + k) * length, tokens);
                mask[r * vectors + k] = 1;
            }
        }
        return new CompressedSide(EncoderInputs.From(batch), tensor(pooling, [rows.Count, vectors, length]), tensor(mask, [rows.Count, vectors]));
    }

    /// <summary>The model's vectors of this side [rows, vectors, d].</summary>
    public Tensor Forward(ContextCompressorModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.forward(Inputs.InputIds, Inputs.AttentionMask, Inputs.TokenTypeIds, Pooling);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Inputs.Dispose();
        Pooling.Dispose();
        VectorMask.Dispose();
    }
}

/// <summary>A training batch of the contrastive compressor task: queries (one vector per word piece) and their documents (compressed).</summary>
public sealed class ContextCompressorBatch : IDisposable
{
    /// <summary>Creates the batch (it disposes what it is given).</summary>
    public ContextCompressorBatch(CompressedSide queries, CompressedSide documents)
    {
        Queries = queries ?? throw new ArgumentNullException(nameof(queries));
        Documents = documents ?? throw new ArgumentNullException(nameof(documents));
    }

    /// <summary>The queries, at ratio 1.</summary>
    public CompressedSide Queries { get; }

    /// <summary>The documents, at the trained ratio.</summary>
    public CompressedSide Documents { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Queries.Dispose();
        Documents.Dispose();
    }
}
