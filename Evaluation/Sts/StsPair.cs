namespace MLNetExt.Evaluation.Sts;

/// <summary>A sentence pair with its gold similarity score (0-5 in STS Benchmark).</summary>
/// <param name="Sentence1">The first sentence.</param>
/// <param name="Sentence2">The second sentence.</param>
/// <param name="Score">The gold score.</param>
/// <param name="Line">The 1-based line in the source file (0 when not read from a file).</param>
public sealed record StsPair(string Sentence1, string Sentence2, double Score, int Line = 0);
