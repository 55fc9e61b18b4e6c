using AngleSharp;
using AngleSharp.Css.Dom;
using AngleSharp.Dom;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Transforms.Attribution;
using SkiaSharp;

namespace MLNetExt.UnitTests.Evaluation;

/// <summary>
/// The HTML page and PNG heat strip of word attributions. No headless browser can be had offline here (NuGet's
/// PuppeteerSharp and npm's puppeteer/playwright download a browser build at install or run time), so the page is
/// checked structurally: parsed and styled by AngleSharp with its CSS engine, every word must be present, in order,
/// with the colour its score calls for, and the page must load nothing from outside.
/// </summary>
[TestClass]
public sealed class AttributionReportTests
{
    private static readonly TextAttribution Single = new("occlusion", ["a", "great", "<film>", "&", "dull", "plot"],
        [0.05f, 0.8f, 0f, -0.01f, -0.4f, 0.2f], 6, 1, 0.93f, 7, 0.01);

    private static readonly TextAttribution Pair = new("kernel-shap", ["cats", "purr", "dogs", "bark"], [0.5f, -0.5f, 0.25f, 0f], 2, 0, 0.6f, 12, 0.02);

    [TestMethod]
    public void ColoursAreWhiteAtZeroAndFullAtTheLargestScore()
    {
        Assert.AreEqual("#ffffff", AttributionColors.Hex(AttributionColors.Color(0)));
        (byte R, byte G, byte B)[] colors = AttributionColors.Colors(Single);
        Assert.AreEqual((26, 152, 80), ((int)colors[1].R, (int)colors[1].G, (int)colors[1].B), "the top word gets the full green");
        Assert.IsTrue(colors[4].R > colors[4].G, "a negative word is red");
        Assert.IsTrue(colors[5].R < colors[0].R, "a larger score is a deeper green");
    }

    [TestMethod]
    public void HtmlShowsEveryWordInOrderWithTheColourOfItsScoreAndLoadsNothing()
    {
        string html = AttributionHtmlReport.Render([Single, Pair], "occlusion attributions: <test model>");
        var context = BrowsingContext.New(Configuration.Default.WithCss());
        IDocument document = context.OpenAsync(request => request.Content(html)).GetAwaiter().GetResult();

        IElement[] explanations = document.QuerySelectorAll(".explanation").ToArray();
        Assert.HasCount(2, explanations);
        foreach ((IElement element, TextAttribution attribution) in explanations.Zip([Single, Pair]))
        {
            IElement[] spans = element.QuerySelectorAll("span.word").ToArray();
            CollectionAssert.AreEqual(attribution.Words, spans.Select(s => s.TextContent).ToArray(), "every word, in order, decoded");
            (byte R, byte G, byte B)[] expected = AttributionColors.Colors(attribution);
            for (int i = 0; i < spans.Length; i++)
            {
                string computed = document.DefaultView!.GetComputedStyle(spans[i]).GetBackgroundColor();
                Assert.AreEqual($"rgba({expected[i].R}, {expected[i].G}, {expected[i].B}, 1)", computed, $"word '{attribution.Words[i]}'");
                Assert.AreEqual(attribution.Scores[i], float.Parse(spans[i].GetAttribute("data-score")!, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        // The pair's second text is its own paragraph.
        IElement[] paragraphs = explanations[1].QuerySelectorAll("p.text").ToArray();
        Assert.HasCount(2, paragraphs);
        Assert.AreEqual("dogs", paragraphs[1].QuerySelector("span.word")!.TextContent);
        Assert.AreEqual("occlusion attributions: <test model>", document.QuerySelector("h1")!.TextContent);

        // Self-contained: no scripts and nothing fetched (no src, no href, no url() in styles).
        Assert.IsEmpty(document.QuerySelectorAll("script, link, img, iframe"));
        Assert.IsFalse(document.All.Any(e => e.HasAttribute("src") || e.HasAttribute("href")));
        Assert.DoesNotContain("url(", html);
    }

    [TestMethod]
    public void HtmlIsWrittenAtomicallyAndEmptyInputIsRefused()
    {
        using var tmp = new TempFiles();
        string path = Path.Combine(tmp.Folder, "out.html");
        AttributionHtmlReport.Save([Single], "t", path);
        Assert.AreEqual(AttributionHtmlReport.Render([Single], "t"), File.ReadAllText(path));
        Assert.HasCount(1, Directory.GetFiles(tmp.Folder), "no temporary file left behind");
        Assert.Throws<ArgumentException>(() => AttributionHtmlReport.Render([], "t"));
    }

    [TestMethod]
    public void HeatStripPaintsEachWordBoxInItsColourAndWrapsAtTheWidth()
    {
        TextAttribution longText = new("random", Enumerable.Range(0, 60).Select(i => $"word{i}").ToArray(),
            Enumerable.Range(0, 60).Select(i => (i % 7 - 3) / 3f).ToArray(), 60, 0, 0.5f, 1, 0);
        const int width = 400;
        byte[] png = AttributionHeatStrip.Render([Single, longText], width);
        (IReadOnlyList<AttributionHeatStrip.WordBox> boxes, int height) = AttributionHeatStrip.Layout([Single, longText], width);
        using SKBitmap bitmap = SKBitmap.Decode(png);
        Assert.AreEqual(width, bitmap.Width);
        Assert.AreEqual(height, bitmap.Height);
        Assert.HasCount(66, boxes);
        Assert.IsTrue(boxes.All(b => b.Left >= 0 && b.Left + b.Width <= width), "boxes stay inside the image");
        Assert.IsTrue(boxes.Where(b => b.Text == 1).Select(b => b.Top).Distinct().Count() > 1, "a long text wraps");
        Assert.IsTrue(boxes.Where(b => b.Text == 1).Min(b => b.Top) > boxes.Where(b => b.Text == 0).Max(b => b.Top), "texts one under another");
        (byte R, byte G, byte B)[][] colors = [AttributionColors.Colors(Single), AttributionColors.Colors(longText)];
        foreach (AttributionHeatStrip.WordBox box in boxes)
        {
            SKColor pixel = bitmap.GetPixel((int)Math.Ceiling(box.Left) + 1, (int)Math.Ceiling(box.Top) + 1);
            (byte r, byte g, byte b) = colors[box.Text][box.Word];
            Assert.AreEqual((r, g, b), (pixel.Red, pixel.Green, pixel.Blue), $"text {box.Text} word {box.Word}");
        }
    }
}
