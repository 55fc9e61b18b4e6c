using MLNetExt.Transforms.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>Word + segment + position embeddings, then LayerNorm and dropout (Hugging Face <c>BertEmbeddings</c>).</summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
    // Field names are the Hugging Face parameter names (embeddings.word_embeddings.weight, ...).
#pragma warning disable IDE1006
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    /// <summary>Creates randomly initialised embeddings for <paramref name="config"/>.</summary>
    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        word_embeddings = nn.Embedding(config.VocabSize, config.HiddenSize);
        position_embeddings = nn.Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        token_type_embeddings = nn.Embedding(config.TypeVocabSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropout);
        RegisterComponents();
    }

    /// <summary>Embeds token ids [batch, seq] with their segment ids [batch, seq]; returns [batch, seq, hidden].</summary>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        return FromWordEmbeddings(word_embeddings.forward(inputIds), tokenTypeIds).MoveToOuterDisposeScope();
    }

    /// <summary>The word-embedding vectors [batch, seq, hidden] of token ids (what gradient attribution differentiates against).</summary>
    public Tensor WordEmbeddings(Tensor inputIds) => word_embeddings.forward(inputIds);

    /// <summary>
    /// <see cref="forward"/> from word-embedding vectors [batch, seq, hidden] instead of ids, so that they can be
    /// interpolated and differentiated (integrated gradients).
    /// </summary>
    public Tensor FromWordEmbeddings(Tensor wordEmbeddings, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        long length = wordEmbeddings.shape[1];
        Tensor positions = arange(length, dtype: ScalarType.Int64, device: wordEmbeddings.device).unsqueeze(0);
        // Same summation order as the exported graphs: (word + segment) + position.
        Tensor sum = wordEmbeddings + token_type_embeddings.forward(tokenTypeIds) + position_embeddings.forward(positions);
        return dropout.forward(LayerNorm.forward(sum)).MoveToOuterDisposeScope();
    }
}
