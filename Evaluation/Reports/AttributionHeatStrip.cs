using MLNetExt.Transforms.Attribution;
using MLNetExt.Transforms.IO;
using SkiaSharp;

namespace MLNetExt.Evaluation.Reports;

/// <summary>
/// Word attributions as a PNG heat strip for reports (SkiaSharp): each text's words left to right on boxes coloured by
/// <see cref="AttributionColors"/>, wrapped at the image width, texts one under another.
/// </summary>
public static class AttributionHeatStrip
{
    private const float FontSize = 16;
    private const float Padding = 4;
    private const float Gap = 3;
    private const float LineHeight = FontSize + 2 * Padding + Gap;
    private const float TextGap = 12;
    private const float Margin = 10;

    /// <summary>One word's box in the image, in pixels.</summary>
    /// <param name="Text">Index of the text.</param>
    /// <param name="Word">Index of the word in the text.</param>
    /// <param name="Left">Left edge.</param>
    /// <param name="Top">Top edge.</param>
    /// <param name="Width">Width.</param>
    /// <param name="Height">Height.</param>
    public readonly record struct WordBox(int Text, int Word, float Left, float Top, float Width, float Height);

    /// <summary>Where every word's box goes, and the image height that holds them all.</summary>
    /// <exception cref="ArgumentException">No attributions.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is below 100 pixels.</exception>
    public static (IReadOnlyList<WordBox> Boxes, int Height) Layout(IReadOnlyList<TextAttribution> attributions, int width = 1000)
    {
        ArgumentNullException.ThrowIfNull(attributions);
        if (attributions.Count == 0)
            throw new ArgumentException("No attributions to draw.", nameof(attributions));
        if (width < 100)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The heat strip needs a width of at least 100 pixels, got {width}.");
        using SKFont font = CreateFont();
        var boxes = new List<WordBox>();
        float top = Margin;
        for (int t = 0; t < attributions.Count; t++)
        {
            float left = Margin;
            string[] words = attributions[t].Words;
            for (int w = 0; w < words.Length; w++)
            {
                float boxWidth = Math.Min(font.MeasureText(words[w]) + 2 * Padding, width - 2 * Margin);
                if (left + boxWidth > width - Margin && left > Margin)
                {
                    left = Margin;
                    top += LineHeight;
                }
                boxes.Add(new WordBox(t, w, left, top, boxWidth, FontSize + 2 * Padding));
                left += boxWidth + Gap;
            }
            top += LineHeight + TextGap;
        }
        return (boxes, (int)Math.Ceiling(top - TextGap + Margin));
    }

    /// <summary>Renders the strip to PNG bytes.</summary>
    /// <exception cref="ArgumentException">No attributions.</exception>
    public static byte[] Render(IReadOnlyList<TextAttribution> attributions, int width = 1000)
    {
        (IReadOnlyList<WordBox> boxes, int height) = Layout(attributions, width);
        (byte R, byte G, byte B)[][] colors = attributions.Select(AttributionColors.Colors).ToArray();
        using SKSurface surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using SKFont font = CreateFont();
        using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = false };
        using var ink = new SKPaint { Color = new SKColor(33, 33, 33), IsAntialias = true };
        foreach (WordBox box in boxes)
        {
            (byte r, byte g, byte b) = colors[box.Text][box.Word];
            fill.Color = new SKColor(r, g, b);
            canvas.DrawRect(SKRect.Create(box.Left, box.Top, box.Width, box.Height), fill);
            canvas.DrawText(attributions[box.Text].Words[box.Word], box.Left + Padding, box.Top + Padding + FontSize * 0.85f, SKTextAlign.Left, font, ink);
        }
        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Renders the strip and writes the PNG atomically.</summary>
    public static void Save(IReadOnlyList<TextAttribution> attributions, string path, int width = 1000) =>
        AtomicFile.WriteAllBytes(path, Render(attributions, width));

    private static SKFont CreateFont() => new(SKTypeface.Default, FontSize);
}
