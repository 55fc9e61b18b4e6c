using MLNetExt.Trainers.Contrastive;

namespace MLNetExt.Trainers.Training;

/// <summary>Unlabelled text (distillation, pretraining objectives), read with the training-file reader of <c>train embed</c> (file:line errors).</summary>
internal static class UnlabelledText
{
    /// <summary>
    /// The distinct non-empty texts of <paramref name="paths"/> in file order: every line of a <c>.txt</c> file, or the
    /// <paramref name="columns"/> of a tab-separated file with a header; at most <paramref name="max"/>.
    /// </summary>
    public static string[] Read(IReadOnlyList<string> paths, IReadOnlyList<string> columns, int? max)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var texts = new List<string>();
        int limit = max ?? int.MaxValue;
        foreach (string path in paths)
        {
            bool plain = path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);
            foreach (string column in plain ? ["text"] : columns)
            {
                var spec = new SentenceEncoderRunSpec { DataPath = path, TextColumns = [column] };
                foreach (SentenceFileRow row in SentenceTrainingFile.Read(spec, path, scored: false, CancellationToken.None).Rows)
                {
                    if (texts.Count >= limit)
                        return [.. texts];
                    if (row.T0.Length > 0 && seen.Add(row.T0))
                        texts.Add(row.T0);
                }
            }
        }
        if (texts.Count == 0)
            throw new ArgumentException($"The text files ({string.Join(", ", paths)}) holds no text.", nameof(paths));
        return [.. texts];
    }
}
