using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// Similarity features of two sentence embeddings (columns <c>PairLeft</c> and <c>PairRight</c>): cosine, Euclidean
/// and Manhattan distance, as a 3-float vector <c>PairSimilarity</c>. A pair task such as STS-B is mostly decided by
/// the cosine of the two embeddings, which no stock ML.NET transform computes (the expression transform takes at most
/// one vector input).
/// </summary>
/// <remarks>
/// A <c>CustomMapping</c> with contract name <see cref="ContractName"/>: a saved model that holds it loads after
/// <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(PairSimilarityFactory).Assembly)</c>.
/// </remarks>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class PairSimilarityFactory : CustomMappingFactory<PairSimilarityFactory.Input, PairSimilarityFactory.Output>
{
    /// <summary>The contract name saved with the model.</summary>
    public const string ContractName = "MLNetExt.PairSimilarity";

    /// <summary>Name of the left embedding column.</summary>
    public const string Left = "PairLeft";

    /// <summary>Name of the right embedding column.</summary>
    public const string Right = "PairRight";

    /// <summary>Name of the output column.</summary>
    public const string OutputColumn = "PairSimilarity";

    /// <summary>The two embeddings.</summary>
    public sealed class Input
    {
        /// <summary>Left embedding.</summary>
        [VectorType]
        public float[] PairLeft { get; set; } = [];

        /// <summary>Right embedding.</summary>
        [VectorType]
        public float[] PairRight { get; set; } = [];
    }

    /// <summary>The similarity features.</summary>
    public sealed class Output
    {
        /// <summary>Cosine, Euclidean distance, Manhattan distance.</summary>
        [VectorType(3)]
        public float[] PairSimilarity { get; set; } = new float[3];
    }

    /// <inheritdoc />
    public override Action<Input, Output> GetMapping() => Map;

    /// <summary>Computes the features of one pair.</summary>
    public static void Map(Input input, Output output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        float[] u = input.PairLeft, v = input.PairRight;
        if (u.Length != v.Length)
            throw new InvalidOperationException($"The embeddings of a pair differ in length: {u.Length} and {v.Length}.");
        double dot = 0, uu = 0, vv = 0, l1 = 0, l2 = 0;
        for (int i = 0; i < u.Length; i++)
        {
            dot += u[i] * v[i];
            uu += u[i] * u[i];
            vv += v[i] * v[i];
            double d = u[i] - v[i];
            l1 += Math.Abs(d);
            l2 += d * d;
        }
        double norms = Math.Sqrt(uu * vv);
        output.PairSimilarity = [(float)(norms > 0 ? dot / norms : 0), (float)Math.Sqrt(l2), (float)l1];
    }
}
