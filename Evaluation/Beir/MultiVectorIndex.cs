namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Documents stored as a variable number of vectors each (late interaction), all vectors of all documents in one
/// contiguous row-major array, float32 or int8 (<see cref="MultiVectorPrecision"/>). Scored with <see cref="MaxSim"/>.
/// </summary>
/// <remarks>
/// Layout: document <c>i</c> owns vectors <c>[start(i), start(i + 1))</c>; vector <c>v</c> is values
/// <c>[v * Dimension, (v + 1) * Dimension)</c> of the float array, or of the byte array times <c>scale[v]</c> in int8.
/// <see cref="StoredBytes"/> counts the vector payload (values and int8 scales), not the per-document offsets.
/// </remarks>
public sealed class MultiVectorIndex
{
    private float[] _values = [];
    private sbyte[] _codes = [];
    private float[] _scales = [];
    private int[] _starts = [0];
    private int _count;
    private int _vectors;

    /// <summary>Creates an empty index.</summary>
    /// <param name="dimension">Floats per vector.</param>
    /// <param name="precision">How values are stored.</param>
    public MultiVectorIndex(int dimension, MultiVectorPrecision precision = MultiVectorPrecision.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (!Enum.IsDefined(precision))
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision.");
        Dimension = dimension;
        Precision = precision;
    }

    /// <summary>Floats per vector.</summary>
    public int Dimension { get; }

    /// <summary>How values are stored.</summary>
    public MultiVectorPrecision Precision { get; }

    /// <summary>Documents held.</summary>
    public int Count => _count;

    /// <summary>Vectors held, all documents together.</summary>
    public long VectorCount => _vectors;

    /// <summary>Bytes of vector payload: 4 per value in float32; 1 per value plus a 4-byte scale per vector in int8.</summary>
    public long StoredBytes => Precision == MultiVectorPrecision.Float32
        ? (long)_vectors * Dimension * sizeof(float)
        : (long)_vectors * (Dimension + sizeof(float));

    /// <summary>Bytes of one stored vector.</summary>
    public int BytesPerVector => Precision == MultiVectorPrecision.Float32 ? Dimension * sizeof(float) : Dimension + sizeof(float);

    /// <summary>Appends a document given as <c>K x Dimension</c> floats, row-major (K at least 1); returns its index.</summary>
    /// <exception cref="ArgumentException">The length is zero or not a multiple of <see cref="Dimension"/>.</exception>
    public int Add(ReadOnlySpan<float> vectors)
    {
        if (vectors.Length == 0 || vectors.Length % Dimension != 0)
            throw new ArgumentException($"A document needs at least one vector of {Dimension} floats; got {vectors.Length} floats.", nameof(vectors));
        int k = vectors.Length / Dimension;
        int from = _vectors;
        if (Precision == MultiVectorPrecision.Float32)
        {
            Grow(ref _values, (long)(from + k) * Dimension);
            vectors.CopyTo(_values.AsSpan(from * Dimension));
        }
        else
        {
            Grow(ref _codes, (long)(from + k) * Dimension);
            Grow(ref _scales, from + k);
            for (int v = 0; v < k; v++)
                _scales[from + v] = Quantize(vectors.Slice(v * Dimension, Dimension), _codes.AsSpan((from + v) * Dimension, Dimension));
        }
        _vectors += k;
        Grow(ref _starts, _count + 2);
        _starts[++_count] = _vectors;
        return _count - 1;
    }

    /// <summary>Number of vectors of document <paramref name="document"/>.</summary>
    public int VectorCountOf(int document) => VectorStart(document + 1) - VectorStart(document);

    /// <summary>The vectors of one document as floats (dequantised in int8), <c>K x Dimension</c>.</summary>
    public float[] GetVectors(int document)
    {
        int from = VectorStart(document), to = VectorStart(document + 1);
        var result = new float[(to - from) * Dimension];
        CopyVectors(from, to - from, result);
        return result;
    }

    /// <summary>Removes every document (the storage is kept for reuse).</summary>
    public void Clear()
    {
        _count = 0;
        _vectors = 0;
    }

    /// <summary>Index of the first vector of <paramref name="document"/> (<see cref="Count"/> gives the end).</summary>
    internal int VectorStart(int document)
    {
        if ((uint)document > (uint)_count)
            throw new ArgumentOutOfRangeException(nameof(document), document, $"The index holds {_count} documents.");
        return _starts[document];
    }

    /// <summary>
    /// Vectors <c>[from, from + count)</c> as floats: the stored array and offset in float32; a copy in
    /// <paramref name="scratch"/> (grown as needed) in int8.
    /// </summary>
    internal (float[] Values, int Offset) ReadVectors(int from, int count, ref float[] scratch)
    {
        if (Precision == MultiVectorPrecision.Float32)
            return (_values, from * Dimension);
        Grow(ref scratch, (long)count * Dimension);
        CopyVectors(from, count, scratch);
        return (scratch, 0);
    }

    private void CopyVectors(int from, int count, Span<float> into)
    {
        if (Precision == MultiVectorPrecision.Float32)
        {
            _values.AsSpan(from * Dimension, count * Dimension).CopyTo(into);
            return;
        }
        for (int v = 0; v < count; v++)
        {
            float scale = _scales[from + v];
            ReadOnlySpan<sbyte> codes = _codes.AsSpan((from + v) * Dimension, Dimension);
            Span<float> row = into.Slice(v * Dimension, Dimension);
            for (int i = 0; i < codes.Length; i++)
                row[i] = codes[i] * scale;
        }
    }

    private static float Quantize(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(vector);
        max = Math.Abs(max);
        if (max == 0 || !float.IsFinite(max))
        {
            if (!float.IsFinite(max))
                throw new ArgumentException("A document vector holds NaN or infinity.", nameof(vector));
            codes.Clear();
            return 0;
        }
        float scale = max / 127f;
        for (int i = 0; i < vector.Length; i++)
            codes[i] = (sbyte)Math.Clamp(MathF.Round(vector[i] / scale), -127, 127);
        return scale;
    }

    private static void Grow<T>(ref T[] array, long needed)
    {
        if (needed <= array.Length)
            return;
        if (needed > Array.MaxLength)
            throw new InvalidOperationException($"The index would need {needed} elements in one array, more than .NET allows ({Array.MaxLength}).");
        long size = Math.Max(needed, Math.Min(Array.MaxLength, Math.Max(16L, array.Length * 2L)));
        Array.Resize(ref array, (int)size);
    }
}
