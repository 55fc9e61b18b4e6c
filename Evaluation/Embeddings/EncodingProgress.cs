namespace MLNetExt.Evaluation.Embeddings;

/// <summary>Progress of an encoding pass: <paramref name="Done"/> of <paramref name="Total"/> texts of one stage ("queries", "corpus", ...).</summary>
/// <param name="Stage">What is being encoded.</param>
/// <param name="Done">Texts encoded so far.</param>
/// <param name="Total">Texts in this stage.</param>
public readonly record struct EncodingProgress(string Stage, int Done, int Total);
