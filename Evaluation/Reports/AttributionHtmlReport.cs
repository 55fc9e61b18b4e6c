using System.Globalization;
using System.Net;
using System.Text;
using MLNetExt.Transforms.Attribution;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Evaluation.Reports;

/// <summary>
/// Word attributions as one self-contained HTML page (no scripts, fonts or links to fetch; viewable offline): each
/// text is a paragraph of its words, each word's background coloured by <see cref="AttributionColors"/> and its score
/// in the tooltip and in <c>data-score</c>.
/// </summary>
/// <remarks>
/// Layout, for readers and tests: every text is a <c>&lt;p class="text"&gt;</c> (a pair's second text follows in a
/// second paragraph with <c>class="text second"</c>); every word is a <c>&lt;span class="word"&gt;</c> with
/// <c>style="background-color:#rrggbb"</c>, <c>data-score</c> (invariant culture) and <c>title</c>.
/// </remarks>
public static class AttributionHtmlReport
{
    /// <summary>Renders the page.</summary>
    /// <param name="attributions">The attributions, one per text.</param>
    /// <param name="title">The page's heading (e.g. the model and method).</param>
    /// <exception cref="ArgumentException">No attributions.</exception>
    public static string Render(IReadOnlyList<TextAttribution> attributions, string title)
    {
        ArgumentNullException.ThrowIfNull(attributions);
        if (attributions.Count == 0)
            throw new ArgumentException("No attributions to show.", nameof(attributions));
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Encode(title)).Append("</title>\n")
            .Append("<style>\nbody{font-family:sans-serif;margin:2em;max-width:60em}\n.text{line-height:2.2;margin:0.4em 0}\n")
            .Append(".word{padding:0.15em 0.25em;margin:0 0.1em;border-radius:0.2em}\n.meta{color:#555;font-size:0.85em;margin-top:1.4em}\n")
            .Append(".legend span{padding:0.15em 0.5em}\n</style>\n</head>\n<body>\n<h1>").Append(Encode(title)).Append("</h1>\n")
            .Append("<p class=\"legend\">Green supports the explained output, red speaks against it: <span style=\"background-color:")
            .Append(AttributionColors.Hex(AttributionColors.Color(-1))).Append("\">against</span><span style=\"background-color:")
            .Append(AttributionColors.Hex(AttributionColors.Color(0))).Append("\">neutral</span><span style=\"background-color:")
            .Append(AttributionColors.Hex(AttributionColors.Color(1))).Append("\">supports</span></p>\n");
        foreach (TextAttribution attribution in attributions)
        {
            html.Append(string.Create(CultureInfo.InvariantCulture,
                $"<div class=\"explanation\" data-method=\"{Encode(attribution.Method)}\" data-target=\"{attribution.TargetIndex}\">\n<p class=\"meta\">{Encode(attribution.Method)}: output {attribution.TargetIndex} = {attribution.TargetValue:F4}, {attribution.ModelCalls} model calls, {attribution.Seconds:F3} s</p>\n"));
            (byte R, byte G, byte B)[] colors = AttributionColors.Colors(attribution);
            html.Append("<p class=\"text\">");
            for (int i = 0; i < attribution.Words.Length; i++)
            {
                if (i == attribution.FirstWordCount)
                    html.Append("</p>\n<p class=\"text second\">");
                string score = attribution.Scores[i].ToString("G6", CultureInfo.InvariantCulture);
                html.Append("<span class=\"word\" style=\"background-color:").Append(AttributionColors.Hex(colors[i]))
                    .Append("\" data-score=\"").Append(score).Append("\" title=\"").Append(score).Append("\">")
                    .Append(Encode(attribution.Words[i])).Append("</span> ");
            }
            html.Append("</p>\n</div>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Renders the page and writes it atomically (UTF-8).</summary>
    public static void Save(IReadOnlyList<TextAttribution> attributions, string title, string path) =>
        AtomicFile.WriteAllText(path, Render(attributions, title));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
