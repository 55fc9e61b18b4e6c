using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetExt.Evaluation.Embeddings;

/// <summary>
/// All dot products between the rows of two row-major matrices, <c>C = A Bᵀ</c>, as one blocked matrix product: panels
/// of both matrices that fit in cache, and inside them 4 x 4 tiles whose sixteen dot products share every load.
/// </summary>
/// <remarks>
/// Retrieval scores are rows of vectors against rows of vectors, both stored with the dimension contiguous, so the
/// product is taken in that layout (no transpose is made). A product large enough to pay for it runs its row panels
/// of <c>A</c> on the thread pool. Each dot product is summed in 8-float lanes with fused multiply-adds, then the lanes
/// are added: values agree with <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> to float
/// rounding, not bit for bit.
/// </remarks>
internal static class DotProductMatrix
{
    private const int Tile = 4;
    private const int PanelA = 64;
    private const int PanelB = 128;

    /// <summary>Products below this many multiply-adds run on the calling thread.</summary>
    private const long ParallelThreshold = 1L << 22;

    /// <summary>
    /// Writes <c>c[i * rowsB + j] = dot(a row i, b row j)</c> for <paramref name="rowsA"/> rows of <paramref name="a"/> and
    /// <paramref name="rowsB"/> rows of <paramref name="b"/>, each <paramref name="dimension"/> floats.
    /// </summary>
    public static void Multiply(float[] a, int rowsA, float[] b, int rowsB, int dimension, float[] c) =>
        Multiply(a, 0, rowsA, b, 0, rowsB, dimension, c);

    /// <summary>As <see cref="Multiply(float[], int, float[], int, int, float[])"/>, with the rows of <paramref name="a"/> and <paramref name="b"/> starting at the given float offsets.</summary>
    public static void Multiply(float[] a, int offsetA, int rowsA, float[] b, int offsetB, int rowsB, int dimension, float[] c)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (rowsA < 0 || offsetA < 0 || offsetA + (long)rowsA * dimension > a.Length)
            throw new ArgumentOutOfRangeException(nameof(rowsA), rowsA, $"Matrix A holds {a.Length} floats; {rowsA} rows of {dimension} from {offsetA} do not fit.");
        if (rowsB < 0 || offsetB < 0 || offsetB + (long)rowsB * dimension > b.Length)
            throw new ArgumentOutOfRangeException(nameof(rowsB), rowsB, $"Matrix B holds {b.Length} floats; {rowsB} rows of {dimension} from {offsetB} do not fit.");
        if ((long)rowsA * rowsB > c.Length)
            throw new ArgumentException($"The product needs {(long)rowsA * rowsB} floats; the output holds {c.Length}.", nameof(c));
        if (rowsA == 0 || rowsB == 0)
            return;

        int panels = (rowsA + PanelA - 1) / PanelA;
        if (panels > 1 && (long)rowsA * rowsB * dimension >= ParallelThreshold)
            Parallel.For(0, panels, p => MultiplyPanel(a, offsetA, rowsA, b, offsetB, rowsB, dimension, c, p * PanelA));
        else
            for (int p = 0; p < panels; p++)
                MultiplyPanel(a, offsetA, rowsA, b, offsetB, rowsB, dimension, c, p * PanelA);
    }

    private static void MultiplyPanel(float[] a, int offsetA, int rowsA, float[] b, int offsetB, int rowsB, int dimension, float[] c, int fromA)
    {
        int toA = Math.Min(rowsA, fromA + PanelA);
        for (int fromB = 0; fromB < rowsB; fromB += PanelB)
        {
            int toB = Math.Min(rowsB, fromB + PanelB);
            for (int i = fromA; i < toA; i += Tile)
            {
                int tileA = Math.Min(Tile, toA - i);
                for (int j = fromB; j < toB; j += Tile)
                {
                    int tileB = Math.Min(Tile, toB - j);
                    if (tileA == Tile && tileB == Tile && Fma.IsSupported && dimension >= Vector256<float>.Count)
                        Tile4x4(a, offsetA + i * dimension, b, offsetB + j * dimension, dimension, c, i * rowsB + j, rowsB);
                    else
                        TileScalar(a, offsetA + i * dimension, tileA, b, offsetB + j * dimension, tileB, dimension, c, i * rowsB + j, rowsB);
                }
            }
        }
    }

    /// <summary>Sixteen dot products of four rows of A with four rows of B, eight lanes at a time.</summary>
    private static void Tile4x4(float[] a, int a0, float[] b, int b0, int dimension, float[] c, int c0, int stride)
    {
        ref float ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref float rb = ref MemoryMarshal.GetArrayDataReference(b);
        var s00 = Vector256<float>.Zero; var s01 = Vector256<float>.Zero; var s02 = Vector256<float>.Zero; var s03 = Vector256<float>.Zero;
        var s10 = Vector256<float>.Zero; var s11 = Vector256<float>.Zero; var s12 = Vector256<float>.Zero; var s13 = Vector256<float>.Zero;
        var s20 = Vector256<float>.Zero; var s21 = Vector256<float>.Zero; var s22 = Vector256<float>.Zero; var s23 = Vector256<float>.Zero;
        var s30 = Vector256<float>.Zero; var s31 = Vector256<float>.Zero; var s32 = Vector256<float>.Zero; var s33 = Vector256<float>.Zero;
        int k = 0;
        int last = dimension - Vector256<float>.Count;
        for (; k <= last; k += Vector256<float>.Count)
        {
            var x0 = Vector256.LoadUnsafe(ref ra, (nuint)(a0 + k));
            var x1 = Vector256.LoadUnsafe(ref ra, (nuint)(a0 + dimension + k));
            var x2 = Vector256.LoadUnsafe(ref ra, (nuint)(a0 + 2 * dimension + k));
            var x3 = Vector256.LoadUnsafe(ref ra, (nuint)(a0 + 3 * dimension + k));
            var y = Vector256.LoadUnsafe(ref rb, (nuint)(b0 + k));
            s00 = Fma.MultiplyAdd(x0, y, s00); s10 = Fma.MultiplyAdd(x1, y, s10); s20 = Fma.MultiplyAdd(x2, y, s20); s30 = Fma.MultiplyAdd(x3, y, s30);
            y = Vector256.LoadUnsafe(ref rb, (nuint)(b0 + dimension + k));
            s01 = Fma.MultiplyAdd(x0, y, s01); s11 = Fma.MultiplyAdd(x1, y, s11); s21 = Fma.MultiplyAdd(x2, y, s21); s31 = Fma.MultiplyAdd(x3, y, s31);
            y = Vector256.LoadUnsafe(ref rb, (nuint)(b0 + 2 * dimension + k));
            s02 = Fma.MultiplyAdd(x0, y, s02); s12 = Fma.MultiplyAdd(x1, y, s12); s22 = Fma.MultiplyAdd(x2, y, s22); s32 = Fma.MultiplyAdd(x3, y, s32);
            y = Vector256.LoadUnsafe(ref rb, (nuint)(b0 + 3 * dimension + k));
            s03 = Fma.MultiplyAdd(x0, y, s03); s13 = Fma.MultiplyAdd(x1, y, s13); s23 = Fma.MultiplyAdd(x2, y, s23); s33 = Fma.MultiplyAdd(x3, y, s33);
        }
        Span<float> tail = stackalloc float[Tile * Tile];
        tail.Clear();
        for (; k < dimension; k++)
        {
            for (int r = 0; r < Tile; r++)
                for (int s = 0; s < Tile; s++)
                    tail[r * Tile + s] += a[a0 + r * dimension + k] * b[b0 + s * dimension + k];
        }
        Store(c, c0, s00, s01, s02, s03, tail[0..4]);
        Store(c, c0 + stride, s10, s11, s12, s13, tail[4..8]);
        Store(c, c0 + 2 * stride, s20, s21, s22, s23, tail[8..12]);
        Store(c, c0 + 3 * stride, s30, s31, s32, s33, tail[12..16]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float[] c, int at, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3, ReadOnlySpan<float> tail)
    {
        c[at] = Vector256.Sum(v0) + tail[0];
        c[at + 1] = Vector256.Sum(v1) + tail[1];
        c[at + 2] = Vector256.Sum(v2) + tail[2];
        c[at + 3] = Vector256.Sum(v3) + tail[3];
    }

    /// <summary>Edge tiles (and machines without FMA): one dot product at a time.</summary>
    private static void TileScalar(float[] a, int a0, int tileA, float[] b, int b0, int tileB, int dimension, float[] c, int c0, int stride)
    {
        for (int r = 0; r < tileA; r++)
        {
            var row = a.AsSpan(a0 + r * dimension, dimension);
            for (int s = 0; s < tileB; s++)
                c[c0 + r * stride + s] = TensorPrimitives.Dot(row, b.AsSpan(b0 + s * dimension, dimension));
        }
    }
}
