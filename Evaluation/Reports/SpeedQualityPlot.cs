using MLNetExt.Transforms.IO;

namespace MLNetExt.Evaluation.Reports;

/// <summary>One model on a <see cref="SpeedQualityPlot"/>: its name, its speed-up over the original and its quality.</summary>
/// <param name="Label">The model's name in the legend and next to its point.</param>
/// <param name="Speedup">Measured speed over the original's, same run (1 for the original).</param>
/// <param name="Quality">The quality measure (x 100).</param>
public sealed record SpeedQualityPoint(string Label, double Speedup, double Quality)
{
    /// <summary>Short text written beside the point (e.g. a trial number) when <see cref="Label"/> is long; null writes the label.</summary>
    public string? Tag { get; init; }
}

/// <summary>
/// Speed versus quality of compressed variants of one model as a PNG (ScottPlot): one labelled marker per variant,
/// x = measured speed-up over the original (same run), y = the task's quality measure. The legend sits outside the
/// data area, so it never hides a point.
/// </summary>
public static class SpeedQualityPlot
{
    /// <summary>Builds the plot; <paramref name="measure"/> names the y axis (e.g. "SST-2 dev accuracy").</summary>
    /// <exception cref="ArgumentException">No points.</exception>
    public static ScottPlot.Plot CreatePlot(IEnumerable<SpeedQualityPoint> points, string measure)
    {
        ArgumentNullException.ThrowIfNull(points);
        var rows = points.ToList();
        if (rows.Count == 0)
            throw new ArgumentException("No variants to plot.", nameof(points));
        var plot = new ScottPlot.Plot();
        foreach (SpeedQualityPoint p in rows)
        {
            var marker = plot.Add.Marker(p.Speedup, p.Quality);
            marker.LegendText = $"{p.Label}: {p.Quality:F2} at {p.Speedup:F2}x";
            marker.MarkerSize = 10;
            plot.Add.Text(p.Tag ?? p.Label, p.Speedup, p.Quality);
        }
        plot.Axes.Margins(0.25, 0.2); // room for the labels beside the outermost points
        plot.Axes.Bottom.Label.Text = "speed-up over the original (same run)";
        plot.Axes.Left.Label.Text = measure;
        plot.Title($"Speed versus quality: {measure}");
        plot.ShowLegend(ScottPlot.Edge.Right);
        return plot;
    }

    /// <summary>Renders the plot and writes the PNG atomically: a data area of about <paramref name="width"/> x <paramref name="height"/> and the legend beside it.</summary>
    public static void Save(IEnumerable<SpeedQualityPoint> points, string measure, string path, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(points);
        SpeedQualityPoint[] rows = [.. points];
        // The legend sits right of the data area: widen the image by its longest line, heighten it by one line per point.
        int legendWidth = 7 * rows.Max(p => p.Label.Length + 24), legendHeight = 120 + 22 * rows.Length;
        AtomicFile.WriteAllBytes(path, CreatePlot(rows, measure).GetImageBytes(width + legendWidth, Math.Max(height, legendHeight), ScottPlot.ImageFormat.Png));
    }
}
