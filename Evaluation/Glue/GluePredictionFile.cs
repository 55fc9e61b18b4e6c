using System.Globalization;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Evaluation.Glue;

/// <summary>
/// Scores a prediction file against gold examples: one prediction per line in the gold file's order (label text,
/// class index, or an STS-B score); a GLUE submission file (header <c>index&lt;TAB&gt;prediction</c>) also works.
/// </summary>
public static class GluePredictionFile
{
    /// <summary>Reads the predictions and computes the task's measures.</summary>
    /// <exception cref="DataFileException">The file has the wrong number of lines or an unreadable prediction (file and line named).</exception>
    public static GlueResult Evaluate(GlueTask task, IReadOnlyList<GlueExample> gold, string path)
    {
        var values = new List<(int Line, string Text)>();
        foreach (var (number, text) in LineReader.ReadLines(path))
        {
            if (text.Length == 0)
                continue;
            string[] f = LineReader.SplitTabs(text);
            if (values.Count == 0 && f.Length == 2 && f[0] == "index")
                continue; // GLUE submission header
            values.Add((number, f[^1].Trim()));
        }
        if (values.Count != gold.Count)
            throw new DataFileException(path, 0, 0, $"expected {gold.Count} predictions (one per row of the gold file), got {values.Count}.");

        if (task.IsRegression)
        {
            var scores = values.Select(v => double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
                : throw new DataFileException(path, v.Line, 0, $"expected a similarity score, got '{v.Text}'.")).ToList();
            return GlueEvaluator.Evaluate(task, gold.Select(g => (double)g.Score).ToList(), scores);
        }
        var classes = values.Select(v =>
        {
            int index = task.LabelIndex(v.Text);
            if (index < 0 && int.TryParse(v.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= 0 && i < task.Labels!.Count)
                index = i;
            return index >= 0 ? index
                : throw new DataFileException(path, v.Line, 0, $"expected a {task.Name} label ({string.Join(", ", task.Labels!)}) or class index, got '{v.Text}'.");
        }).ToList();
        return GlueEvaluator.Evaluate(task, gold.Select(g => g.LabelIndex).ToList(), classes);
    }
}
