using System.Numerics.Tensors;

namespace MLNetExt.Transforms;

/// <summary>
/// Agglomerative clustering with Ward's criterion over a few hundred vectors: start from one cluster per vector and
/// merge the pair whose merge least increases the within-cluster squared error until K clusters remain.
/// </summary>
/// <remarks>
/// Distances are squared Euclidean, updated after each merge by the Lance-Williams formula for Ward linkage:
/// d(k, i+j) = ((n_i + n_k) d(k, i) + (n_j + n_k) d(k, j) - n_k d(i, j)) / (n_i + n_j + n_k). Each row keeps its
/// nearest neighbour; Ward linkage is reducible (a merged cluster is never nearer to a third than its nearer part was),
/// so only rows whose neighbour took part in a merge are searched again, which keeps the whole run near O(n²).
/// Ties go to the lower index, so the result is deterministic.
/// </remarks>
internal static class WardClustering
{
    /// <summary>Cluster labels 0..k-1 of the <paramref name="count"/> vectors, numbered in order of each cluster's first vector.</summary>
    public static int[] Cluster(float[] vectors, int count, int dimension, int k)
    {
        var label = new int[count];
        if (k >= count)
        {
            for (int i = 0; i < count; i++)
                label[i] = i;
            return label;
        }

        var distance = new float[count * count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> a = vectors.AsSpan(i * dimension, dimension);
            for (int j = i + 1; j < count; j++)
            {
                float d = TensorPrimitives.Distance(a, vectors.AsSpan(j * dimension, dimension));
                distance[i * count + j] = distance[j * count + i] = d * d;
            }
        }

        var size = new int[count];
        var active = new bool[count];
        var parent = new int[count];
        var nearest = new int[count];
        var nearestDistance = new float[count];
        for (int i = 0; i < count; i++)
        {
            size[i] = 1;
            active[i] = true;
            parent[i] = i;
        }
        for (int i = 0; i < count; i++)
            FindNearest(i);

        for (int clusters = count; clusters > k; clusters--)
        {
            int a = -1;
            for (int i = 0; i < count; i++)
                if (active[i] && (a < 0 || nearestDistance[i] < nearestDistance[a]))
                    a = i;
            int b = nearest[a];
            if (b < a)
                (a, b) = (b, a);
            float dab = distance[a * count + b];
            for (int c = 0; c < count; c++)
            {
                if (!active[c] || c == a || c == b)
                    continue;
                float merged = ((size[a] + size[c]) * distance[c * count + a] + (size[b] + size[c]) * distance[c * count + b] - size[c] * dab)
                    / (size[a] + size[b] + size[c]);
                distance[c * count + a] = distance[a * count + c] = merged;
            }
            size[a] += size[b];
            active[b] = false;
            parent[b] = a;
            for (int c = 0; c < count; c++)
            {
                if (!active[c])
                    continue;
                if (c == a || nearest[c] == a || nearest[c] == b)
                    FindNearest(c);
                else if (distance[c * count + a] < nearestDistance[c] || (distance[c * count + a] == nearestDistance[c] && a < nearest[c]))
                {
                    nearest[c] = a;
                    nearestDistance[c] = distance[c * count + a];
                }
            }
        }

        var number = new Dictionary<int, int>();
        for (int i = 0; i < count; i++)
        {
            int root = i;
            while (parent[root] != root)
                root = parent[root];
            if (!number.TryGetValue(root, out int n))
                number[root] = n = number.Count;
            label[i] = n;
        }
        return label;

        void FindNearest(int i)
        {
            int best = -1;
            float bestDistance = float.PositiveInfinity;
            for (int j = 0; j < count; j++)
            {
                if (j == i || !active[j])
                    continue;
                float d = distance[i * count + j];
                if (best < 0 || d < bestDistance)
                {
                    best = j;
                    bestDistance = d;
                }
            }
            nearest[i] = best;
            nearestDistance[i] = bestDistance;
        }
    }
}
