using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Pretraining;

/// <summary>
/// The trainable masked-language-model head (Hugging Face <c>BertLMPredictionHead</c>): dense, GELU, LayerNorm, then
/// the frozen word embeddings of the encoder as the output matrix plus a trained bias per word piece.
/// </summary>
internal sealed class MaskedLanguageModelHeadModule : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Parameter bias;
    private readonly Tensor embeddings;

    public MaskedLanguageModelHeadModule(int hidden, float[] wordEmbeddings, double layerNormEpsilon) : base("MaskedLanguageModelHead")
    {
        int vocabulary = wordEmbeddings.Length / hidden;
        dense = nn.Linear(hidden, hidden);
        LayerNorm = nn.LayerNorm(hidden, layerNormEpsilon);
        bias = nn.Parameter(zeros(vocabulary));
        embeddings = tensor(wordEmbeddings).reshape(vocabulary, hidden);
        using (no_grad())
        {
            nn.init.normal_(dense.weight!, 0, 0.02);
            nn.init.zeros_(dense.bias!);
        }
        RegisterComponents();
    }

    public int Hidden => (int)embeddings.shape[1];

    public override Tensor forward(Tensor states)
    {
        using var scope = NewDisposeScope();
        Tensor transformed = LayerNorm.forward(nn.functional.gelu(dense.forward(states)));
        return nn.functional.linear(transformed, embeddings, bias).MoveToOuterDisposeScope();
    }

    /// <summary>The trained weights as the serving head (<see cref="MLNetExt.Transforms.MaskedLanguageModelHead"/>).</summary>
    public MLNetExt.Transforms.MaskedLanguageModelHead ToHead(double layerNormEpsilon)
    {
        static float[] Data(Tensor t) => t.detach().contiguous().data<float>().ToArray();
        return new MLNetExt.Transforms.MaskedLanguageModelHead(Hidden, Data(dense.weight!), Data(dense.bias!), Data(LayerNorm.weight!), Data(LayerNorm.bias!),
            Data(bias), Data(embeddings), layerNormEpsilon);
    }
}
