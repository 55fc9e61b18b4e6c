using MLNetExt.Evaluation.Beir;
using MLNetExt.Trainers.Contrastive;

namespace MLNetExt.Trainers.Training;

/// <summary>Unlabelled text (distillation, pretraining objectives), read with the training-file reader of <c>train embed</c> (file:line errors).</summary>
internal static class UnlabelledText
{
    /// <summary>
    /// The distinct non-empty texts of <paramref name="paths"/>: every line of a <c>.txt</c> file, title and text of
    /// each document of a BEIR corpus (<c>.jsonl</c>), or the <paramref name="columns"/> of a tab-separated file with a
    /// header; at most <paramref name="max"/>. With several files the texts are taken from the files in turn, one each,
    /// so a cap draws on every file (a file that runs out leaves the turn to the others); within a file, in file order.
    /// </summary>
    public static string[] Read(IReadOnlyList<string> paths, IReadOnlyList<string> columns, int? max)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var texts = new List<string>();
        int limit = max ?? int.MaxValue;
        List<IEnumerator<string>> files = paths.Select(p => ReadFile(p, columns).GetEnumerator()).ToList();
        try
        {
            while (files.Count > 0 && texts.Count < limit)
            {
                for (int i = 0; i < files.Count && texts.Count < limit; i++)
                {
                    // The next new text of file i; a file with none left leaves the turn.
                    string? next = null;
                    while (next is null && files[i].MoveNext())
                        next = seen.Add(files[i].Current) ? files[i].Current : null;
                    if (next is not null)
                        texts.Add(next);
                    else
                    {
                        files[i].Dispose();
                        files.RemoveAt(i--);
                    }
                }
            }
        }
        finally
        {
            foreach (IEnumerator<string> file in files)
                file.Dispose();
        }
        if (texts.Count == 0)
            throw new ArgumentException($"The text files ({string.Join(", ", paths)}) hold no text.", nameof(paths));
        return [.. texts];
    }

    // The non-empty texts of one file, in file order (repeats included).
    private static IEnumerable<string> ReadFile(string path, IReadOnlyList<string> columns)
    {
        if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            foreach (BeirDocument document in BeirReader.ReadCorpus(path))
            {
                string text = document.Title.Length == 0 ? document.Text.Trim() : $"{document.Title.Trim()} {document.Text.Trim()}";
                if (text.Length > 0)
                    yield return text;
            }
            yield break;
        }
        bool plain = path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);
        foreach (string column in plain ? ["text"] : columns)
        {
            var spec = new SentenceEncoderRunSpec { DataPath = path, TextColumns = [column] };
            foreach (SentenceFileRow row in SentenceTrainingFile.Read(spec, path, scored: false, CancellationToken.None).Rows)
                if (row.T0.Length > 0)
                    yield return row.T0;
        }
    }
}
