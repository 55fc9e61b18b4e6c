namespace MLNetExt.Evaluation.Ranking;

/// <summary>The precision at which run scores are compared when documents are ranked.</summary>
public enum ScorePrecision
{
    /// <summary>
    /// Single precision, as trec_eval 9.0.8 (<c>float sim</c> in its run format) and pytrec_eval, which BEIR uses:
    /// scores that are equal once rounded to <see cref="float"/> tie and are ordered by document id.
    /// </summary>
    Single,

    /// <summary>Full double precision, as trec_eval 10 compares scores.</summary>
    Double,
}
