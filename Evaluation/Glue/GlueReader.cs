using System.Globalization;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Evaluation.Glue;

/// <summary>
/// Reads the official GLUE tsv files. They have no quoting: fields are split on tabs only, so quote marks stay part
/// of the text (MRPC and SST-2 have unbalanced ones). A UTF-8 byte order mark (MRPC) is skipped; CoLA has no header.
/// Columns are located by header name, so extra columns (MNLI's parses, STS-B's genre) do not matter.
/// </summary>
public static class GlueReader
{
    /// <summary>Reads a task's dev file from its folder (e.g. <c>shared/data/mrpc</c>).</summary>
    public static IReadOnlyList<GlueExample> ReadDev(GlueTask task, string folder)
    {
        ArgumentNullException.ThrowIfNull(task);
        return Read(task, Path.Combine(folder, task.DevFile), labelsRequired: true);
    }

    /// <summary>Reads one GLUE file of the task.</summary>
    /// <param name="task">The task, which says where the columns are.</param>
    /// <param name="path">The tsv file.</param>
    /// <param name="labelsRequired">Whether the file must have the label column (training and dev files; GLUE's test files have none).</param>
    /// <exception cref="DataFileException">A row is short, a label is not one of the task's, a score is not a number, or a
    /// required label column is missing.</exception>
    public static IReadOnlyList<GlueExample> Read(GlueTask task, string path, bool labelsRequired = false)
    {
        ArgumentNullException.ThrowIfNull(task);
        var rows = new List<GlueExample>();
        int s1 = task.NoHeaderSentenceIndex, s2 = -1, label = task.NoHeaderLabelIndex;
        bool headerPending = task.HasHeader;
        foreach (var (number, text) in LineReader.ReadLines(path))
        {
            if (text.Length == 0)
                continue;
            string[] f = LineReader.SplitTabs(text);
            if (headerPending)
            {
                headerPending = false;
                s1 = Find(f, task.Sentence1Column!, path, number, required: true);
                s2 = task.Sentence2Column is null ? -1 : Find(f, task.Sentence2Column, path, number, required: true);
                label = Find(f, task.LabelColumn, path, number, required: labelsRequired); // test files have no labels
                continue;
            }

            int needed = Math.Max(s1, Math.Max(s2, label)) + 1;
            if (f.Length < needed)
                throw new DataFileException(path, number, 0, $"expected at least {needed} tab-separated fields for {task.Name}, got {f.Length}.");

            var row = new GlueExample { Line = number, Sentence1 = f[s1], Sentence2 = s2 >= 0 ? f[s2] : "" };
            if (label >= 0)
            {
                string value = f[label].Trim();
                if (task.IsRegression)
                {
                    if (!float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float score))
                        throw new DataFileException(path, number, label + 1, $"expected a similarity score (a number), got '{value}'.");
                    row.Score = score;
                }
                else
                {
                    row.Label = value;
                    row.LabelIndex = task.LabelIndex(value);
                    if (row.LabelIndex < 0)
                        throw new DataFileException(path, number, label + 1,
                            $"expected a {task.Name} label ({string.Join(", ", task.Labels!)}), got '{value}'.");
                }
            }
            rows.Add(row);
        }
        if (headerPending)
            throw new DataFileException(path, 0, 0, $"the file is empty; expected a {task.Name} header line.");
        return rows;
    }

    private static int Find(string[] header, string name, string path, int line, bool required)
    {
        int i = Array.FindIndex(header, h => string.Equals(h.Trim(), name, StringComparison.Ordinal));
        if (i < 0 && required)
            throw new DataFileException(path, line, 0, $"expected a header column '{name}', got: {string.Join(" | ", header)}.");
        return i;
    }
}
