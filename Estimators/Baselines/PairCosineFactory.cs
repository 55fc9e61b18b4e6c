using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetExt.Estimators.Pipelines;

namespace MLNetExt.Estimators.Baselines;

/// <summary>
/// The cosine of two sentence embeddings (columns <c>PairLeft</c> and <c>PairRight</c>) as the regression
/// <c>Score</c>: the zero-training baseline of sentence-pair similarity (STS), which a rank metric such as Spearman
/// compares directly with the gold scores.
/// </summary>
/// <remarks>
/// A <c>CustomMapping</c> with contract name <see cref="ContractName"/>; a saved model that holds it loads after
/// <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(PairSimilarityFactory).Assembly)</c> (this assembly).
/// </remarks>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class PairCosineFactory : CustomMappingFactory<PairSimilarityFactory.Input, PairCosineFactory.Output>
{
    /// <summary>The contract name saved with the model.</summary>
    public const string ContractName = "MLNetExt.PairCosineScore";

    /// <summary>The score of a pair.</summary>
    public sealed class Output
    {
        /// <summary>Cosine of the two embeddings, in [-1, 1] (0 when either is all zeros).</summary>
        public float Score { get; set; }
    }

    /// <inheritdoc />
    public override Action<PairSimilarityFactory.Input, Output> GetMapping() => Map;

    /// <summary>Scores one pair.</summary>
    public static void Map(PairSimilarityFactory.Input input, Output output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        float[] u = input.PairLeft, v = input.PairRight;
        if (u.Length != v.Length)
            throw new InvalidOperationException($"The embeddings of a pair differ in length: {u.Length} and {v.Length}.");
        double dot = 0, uu = 0, vv = 0;
        for (int i = 0; i < u.Length; i++)
        {
            dot += u[i] * v[i];
            uu += u[i] * u[i];
            vv += v[i] * v[i];
        }
        double norms = Math.Sqrt(uu * vv);
        output.Score = (float)(norms > 0 ? dot / norms : 0);
    }
}
