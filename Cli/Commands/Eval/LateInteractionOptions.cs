using System.Diagnostics;
using System.Globalization;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Transforms;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Eval;

/// <summary>Parsing and printing of <c>eval beir --multi-vector</c>'s options and index figures.</summary>
internal static class LateInteractionOptions
{
    /// <summary>One variant per method and ratio; ratio 1 once, whatever the methods (every token is kept either way).</summary>
    /// <exception cref="ArgumentException">A ratio is not 1, 2, 4 or 8, or a method is not mean or cluster.</exception>
    public static List<MultiVectorVariant> Variants(string ratios, string methods, bool int8)
    {
        List<int> parsedRatios = ParseRatios(ratios);
        var parsedMethods = new List<ContextCompressionMethod>();
        foreach (string part in methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            parsedMethods.Add(part.ToLowerInvariant() switch
            {
                "mean" => ContextCompressionMethod.Mean,
                "cluster" => ContextCompressionMethod.Cluster,
                _ => throw new ArgumentException($"--method expects mean or cluster separated by commas, got '{part}' in '{methods}'."),
            });
        }
        if (parsedRatios.Count == 0 || parsedMethods.Count == 0)
            throw new ArgumentException("--ratio and --method need at least one value each.");
        var precision = int8 ? MultiVectorPrecision.Int8 : MultiVectorPrecision.Float32;
        var variants = new List<MultiVectorVariant>();
        foreach (int ratio in parsedRatios.Distinct().Order())
        {
            if (ratio == 1)
                variants.Add(LateInteractionVariants.Compressed(ContextCompressionMethod.Mean, 1, precision));
            else
                variants.AddRange(parsedMethods.Distinct().Select(m => LateInteractionVariants.Compressed(m, ratio, precision)));
        }
        return variants;
    }

    /// <summary>One learned variant per ratio, through <paramref name="compressor"/>, <paramref name="batchSize"/> texts per run of its graph.</summary>
    /// <exception cref="ArgumentException">A ratio is not 1, 2, 4 or 8.</exception>
    public static List<MultiVectorVariant> LearnedVariants(LearnedContextCompressor compressor, string ratios, bool int8, int batchSize)
    {
        var precision = int8 ? MultiVectorPrecision.Int8 : MultiVectorPrecision.Float32;
        List<int> parsed = ParseRatios(ratios);
        if (parsed.Count == 0)
            throw new ArgumentException("--ratio needs at least one value.");
        return parsed.Distinct().Order().Select(r => LateInteractionVariants.Learned(compressor, r, precision, batchSize)).ToList();
    }

    /// <summary>
    /// The token-state cache in front of <paramref name="encoder"/>: keyed by the model's name, where it came from, its
    /// layers and input limit, and whether the graph runs fused, so that states of another encoder are never replayed.
    /// </summary>
    public static CachedTextEmbedder OpenCache(ITextEmbedder encoder, EncoderModel model, string path, bool fused)
    {
        string key = $"token states | {model.Name} | {model.Directory ?? "packaged"} | {model.Config.Layers} layers, hidden {model.Config.HiddenSize} | " +
            $"max {model.Config.MaxTokens} tokens | {(fused ? "fused graph" : "graph as it is")}";
        var cache = new CachedTextEmbedder(encoder, path, key);
        AnsiConsole.MarkupLine($"[grey]token cache:[/] {Markup.Escape(path)} holds {cache.CachedTexts} texts");
        return cache;
    }

    private static List<int> ParseRatios(string ratios)
    {
        var parsed = new List<int>();
        foreach (string part in ratios.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int ratio) || !ContextPooling.Ratios.Contains(ratio))
                throw new ArgumentException($"--ratio expects 1, 2, 4 or 8 separated by commas, got '{part}' in '{ratios}'.");
            parsed.Add(ratio);
        }
        return parsed;
    }

    /// <summary>A table of each system's NDCG@10, vectors and bytes per document and scoring speed; then the process's peak memory.</summary>
    public static void PrintIndexes(IEnumerable<BeirResult> results)
    {
        var table = new Table().Title("index size and scoring speed (encoding excluded)")
            .AddColumn("system").AddColumn("NDCG@10").AddColumn("vectors/doc").AddColumn("bytes/doc").AddColumn("corpus MB").AddColumn("queries/s");
        foreach (BeirResult r in results.Where(r => r.Index is not null))
        {
            MultiVectorRetrievalResult index = r.Index!;
            table.AddRow(Markup.Escape(r.System),
                (100 * r.Metrics.Mean.GetValueOrDefault("ndcg_cut_10")).ToString("F2", CultureInfo.InvariantCulture),
                index.VectorsPerDocument.ToString("F1", CultureInfo.InvariantCulture),
                index.BytesPerDocument.ToString("F0", CultureInfo.InvariantCulture),
                (index.StoredBytes / 1e6).ToString("F1", CultureInfo.InvariantCulture),
                index.QueriesPerSecond.ToString("F1", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        using var process = Process.GetCurrentProcess();
        AnsiConsole.MarkupLine($"peak working set of the process: {process.PeakWorkingSet64 / 1e6:F0} MB");
    }
}
