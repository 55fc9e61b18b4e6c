namespace MLNetExt.Evaluation.Beir;

/// <summary>How a <see cref="MultiVectorIndex"/> stores each vector.</summary>
public enum MultiVectorPrecision
{
    /// <summary>Four bytes per value, exactly as given.</summary>
    Float32,

    /// <summary>
    /// One signed byte per value plus one float scale per vector (symmetric per-vector quantisation:
    /// scale = max |value| / 127, code = round(value / scale)); about a quarter of the float32 size.
    /// </summary>
    Int8,
}
