namespace MLNetExt.Evaluation.Ner;

/// <summary>How per-word tags mark entity spans.</summary>
public enum TaggingScheme
{
    /// <summary>IOB2: <c>B-type</c> begins an entity, <c>I-type</c> continues it, <c>O</c> is outside any entity.</summary>
    Bio,

    /// <summary>
    /// BIOES (IOBES): as <see cref="Bio"/>, plus <c>E-type</c> ending an entity of several words and <c>S-type</c>
    /// marking an entity of one word.
    /// </summary>
    Bioes,
}

/// <summary>How tag sequences that break the scheme's rules are turned into entities.</summary>
public enum EntityDecoding
{
    /// <summary>
    /// seqeval's strict mode: only well-formed spans count (<c>B I*</c> in BIO; <c>S</c> or <c>B I* E</c> in BIOES). An
    /// <c>I-</c> that does not continue an entity of its type belongs to no entity; in BIOES an entity that is never
    /// closed by <c>E-</c> is dropped.
    /// </summary>
    Strict,

    /// <summary>
    /// conlleval's chunking: an <c>I-</c> or <c>E-</c> that does not continue an open entity of its type starts one, so
    /// every non-<c>O</c> word belongs to some entity.
    /// </summary>
    Conlleval,
}
