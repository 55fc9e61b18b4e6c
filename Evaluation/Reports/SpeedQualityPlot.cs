using MLNetExt.Transforms.IO;

namespace MLNetExt.Evaluation.Reports;

/// <summary>One model on a <see cref="SpeedQualityPlot"/>: its name, its speed-up over the original and its quality.</summary>
/// <param name="Label">The model's name in the legend and next to its point.</param>
/// <param name="Speedup">Measured speed over the original's, same run (1 for the original).</param>
/// <param name="Quality">The quality measure (x 100).</param>
public sealed record SpeedQualityPoint(string Label, double Speedup, double Quality);

/// <summary>
/// Speed versus quality of compressed variants of one model as a PNG (ScottPlot): one labelled marker per variant,
/// x = measured speed-up over the original (same run), y = the task's quality measure.
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
            plot.Add.Text(p.Label, p.Speedup, p.Quality);
        }
        plot.Axes.Margins(0.25, 0.2); // room for the labels beside the outermost points
        plot.Axes.Bottom.Label.Text = "speed-up over the original (same run)";
        plot.Axes.Left.Label.Text = measure;
        plot.Title($"Speed versus quality: {measure}");
        plot.ShowLegend(ScottPlot.Alignment.LowerLeft);
        return plot;
    }

    /// <summary>Renders the plot and writes the PNG atomically.</summary>
    public static void Save(IEnumerable<SpeedQualityPoint> points, string measure, string path, int width = 800, int height = 500) =>
        AtomicFile.WriteAllBytes(path, CreatePlot(points, measure).GetImageBytes(width, height, ScottPlot.ImageFormat.Png));
}
