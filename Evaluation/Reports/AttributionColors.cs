using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Evaluation.Reports;

/// <summary>
/// The one colour scale of attribution reports (HTML and PNG alike): white for 0, shading to green for words that
/// support the explained output and to red for words that speak against it, scaled per text by its largest |score|.
/// </summary>
public static class AttributionColors
{
    private static readonly (byte R, byte G, byte B) s_positive = (26, 152, 80);
    private static readonly (byte R, byte G, byte B) s_negative = (215, 48, 39);

    /// <summary>Each word's colour as (r, g, b) for <paramref name="attribution"/>.</summary>
    public static (byte R, byte G, byte B)[] Colors(TextAttribution attribution)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        float scale = attribution.Scores.Length == 0 ? 0 : attribution.Scores.Max(s => float.IsFinite(s) ? Math.Abs(s) : 0);
        return attribution.Scores.Select(s => Color(scale > 0 && float.IsFinite(s) ? s / scale : 0)).ToArray();
    }

    /// <summary>The colour of a score already scaled to [-1, 1] (values outside are clamped).</summary>
    public static (byte R, byte G, byte B) Color(double scaled)
    {
        double t = Math.Clamp(Math.Abs(scaled), 0, 1);
        (byte r, byte g, byte b) = scaled >= 0 ? s_positive : s_negative;
        return (Mix(r, t), Mix(g, t), Mix(b, t));
    }

    /// <summary>The colour as CSS hex, <c>#rrggbb</c>.</summary>
    public static string Hex((byte R, byte G, byte B) color) => $"#{color.R:x2}{color.G:x2}{color.B:x2}";

    private static byte Mix(byte target, double t) => (byte)Math.Round(255 + (target - 255) * t);
}
