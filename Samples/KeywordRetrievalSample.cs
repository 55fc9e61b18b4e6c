using Microsoft.ML;
using System.Text.Json;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.TokenClassification;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// Keyword re-ranking after dense retrieval (<c>KeywordReranker</c>), the VehicleFinder idea on a toy vehicle-listing
/// corpus: all-MiniLM-L6-v2 ranks the listings for each query, then the query's attribute keywords (colour, make) boost
/// or filter the listings that hold them. Keywords come from a small gazetteer, or from a named-entity tagger trained
/// with <c>mlnetext train ner</c> when its model.zip is given (its entity types must fit the queries: a WNUT 2017 model
/// finds people, places and products, not colours).
/// Run: <c>dotnet run --project Samples -c Release -- keywords [ner-model.zip]</c>.
/// </summary>
/// <remarks>
/// Prints (gazetteer keywords; 12 queries over 14 listings, one relevant listing each; 7 of the 12 query blocks left out):
/// <code>
/// red Toyota for sale -> keywords: Toyota, red
///   dense:    car11 car12 car1
///   boosted:  car1 car11 car12
///   filtered: car1
/// small silver city car -> keywords: silver
///   dense:    car9 car8 car7
///   boosted:  car7 car9 car8
///   filtered: car7 car10
/// Toyota delivery van -> keywords: Toyota
///   dense:    car12 car4 car13
///   boosted:  car12 car7 car11
///   filtered: car12 car7 car11
/// ...
/// dense                          P@1 0.83  NDCG@3 0.8750
/// dense + keyword boost 0.5      P@1 0.92  NDCG@3 0.9167
/// dense + keyword filter (all)   P@1 0.92  NDCG@3 0.9692
/// </code>
/// The toy corpus is made so that colour and make matter; the sample shows the mechanism, not a benchmark (see
/// BENCHMARKS.md for SciFact, where a WNUT 2017 tagger finds few keywords).
/// </remarks>
public static class KeywordRetrievalSample
{
    /// <summary>The three systems' scores and the keywords found.</summary>
    /// <param name="Dense">Dense retrieval alone.</param>
    /// <param name="Boosted">Dense retrieval, keyword boost 0.5.</param>
    /// <param name="Filtered">Dense retrieval, keyword filter (all keywords).</param>
    /// <param name="Keywords">The keywords of each query, by query id.</param>
    public sealed record Result(BeirResult Dense, BeirResult Boosted, BeirResult Filtered, IReadOnlyDictionary<string, IReadOnlyList<string>> Keywords);

    private sealed class Listing
    {
        public string Text { get; set; } = "";
    }

    private static readonly (string Id, string Text)[] Listings =
    [
        ("car1", "Red Toyota Corolla sedan parked near the station"),
        ("car2", "Blue Toyota Corolla with a roof rack"),
        ("car3", "Red Honda Civic hatchback, one owner"),
        ("car4", "White Ford Transit van used for deliveries"),
        ("car5", "Black Ford Focus with low mileage"),
        ("car6", "Red Ford Mustang convertible"),
        ("car7", "Silver Toyota Prius hybrid taxi"),
        ("car8", "Blue Honda Jazz, a small city car"),
        ("car9", "Grey Volkswagen Golf, small city car, cheap to run"),
        ("car10", "Silver Honda Jazz with dents on the door"),
        ("car11", "Black Toyota Land Cruiser for off-road trips"),
        ("car12", "White Toyota HiAce delivery van"),
        ("car13", "Green Ford Transit camper van"),
        ("car14", "Yellow taxi, a Ford Crown Victoria"),
    ];

    private static readonly (string Id, string Text, string Relevant)[] Queries =
    [
        ("q1", "red Toyota for sale", "car1"),
        ("q2", "a blue Honda", "car8"),
        ("q3", "red Ford sports car", "car6"),
        ("q4", "white Ford van", "car4"),
        ("q5", "silver Toyota", "car7"),
        ("q6", "small silver city car", "car10"),
        ("q7", "Toyota delivery van", "car12"),
        ("q8", "black off-road Ford", "car5"),
        ("q9", "Ford taxi", "car14"),
        ("q10", "green camper van", "car13"),
        ("q11", "cheap grey hatchback", "car9"),
        ("q12", "blue car with a roof rack", "car2"),
    ];

    private static readonly string[] Gazetteer = ["red", "blue", "white", "black", "silver", "grey", "green", "yellow", "Toyota", "Honda", "Ford", "Volkswagen"];

    /// <summary>Ranks the listings densely, then re-ranks them with the queries' keywords, and scores all three runs.</summary>
    /// <param name="nerModelPath">A token classifier saved by <c>train ner</c>; null uses the gazetteer.</param>
    public static Result Example(string? nerModelPath = null)
    {
        var mlContext = new MLContext(seed: 0);
        string folder = Path.Combine(Path.GetTempPath(), $"mlnetext-keyword-sample-{Guid.NewGuid():N}");
        EncoderFineTuningTransformer? tagger = null;
        try
        {
            BeirDataset dataset = BeirReader.Load(WriteListings(folder));
            EncoderModel model = PretrainedEncoders.Load("all-MiniLM-L6-v2");
            ITransformer encoder = mlContext.Transforms.Text.EncodeText(outputColumnName: "Embedding", inputColumnName: "Text", model)
                .Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<Listing>()));
            var embedder = new TransformerEmbedder(mlContext, encoder, inputColumnName: "Text", outputColumnName: "Embedding");
            RankingRun dense = DenseRetriever.Retrieve(dataset, embedder, new DenseRetrievalOptions { TopK = 10 });

            IQueryKeywordExtractor extractor;
            if (nerModelPath is null)
            {
                extractor = new GazetteerKeywordExtractor(Gazetteer);
            }
            else
            {
                tagger = EncoderFineTuningTransformer.Load(mlContext, nerModelPath);
                extractor = new EntityKeywordExtractor(tagger);
            }
            // One extraction, shared by both re-rankings.
            IReadOnlyDictionary<string, IReadOnlyList<string>> keywords = KeywordReranker.ExtractKeywords(dataset.Queries, extractor);
            KeywordRerankResult boosted = KeywordReranker.Rerank(dataset.Corpus, dense, keywords, new KeywordRerankOptions { Weight = 0.5 });
            KeywordRerankResult filtered = KeywordReranker.Rerank(dataset.Corpus, dense, keywords,
                new KeywordRerankOptions { Mode = KeywordRerankMode.Filter, Match = KeywordMatch.All });

            var evaluation = new RankingEvaluatorOptions { Cutoffs = [1, 3] };
            var result = new Result(BeirEvaluator.Score(dataset, "dense", dense, evaluation),
                BeirEvaluator.Score(dataset, "dense + keyword boost 0.5", boosted.Run, evaluation),
                BeirEvaluator.Score(dataset, "dense + keyword filter (all)", filtered.Run, evaluation), keywords);

            foreach (BeirQuery query in dataset.Queries)
            {
                Console.WriteLine($"{query.Text} -> keywords: {string.Join(", ", keywords[query.Id])}");
                Console.WriteLine($"  dense:    {string.Join(" ", dense.Ranked(query.Id).Take(3).Select(d => d.Key))}");
                Console.WriteLine($"  boosted:  {string.Join(" ", boosted.Run.Ranked(query.Id).Take(3).Select(d => d.Key))}");
                Console.WriteLine($"  filtered: {string.Join(" ", filtered.Run.Ranked(query.Id).Take(3).Select(d => d.Key))}");
            }
            foreach (BeirResult r in new[] { result.Dense, result.Boosted, result.Filtered })
                Console.WriteLine($"{r.System,-30} P@1 {r.Metrics.Precision(1):F2}  NDCG@3 {r.Metrics.Ndcg(3):F4}");
            return result;
        }
        finally
        {
            tagger?.Dispose();
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    // The listings as a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv), so that the BEIR tools read them.
    private static string WriteListings(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "qrels"));
        File.WriteAllLines(Path.Combine(folder, "corpus.jsonl"),
            Listings.Select(l => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = l.Id, ["title"] = "", ["text"] = l.Text })));
        File.WriteAllLines(Path.Combine(folder, "queries.jsonl"),
            Queries.Select(q => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = q.Id, ["text"] = q.Text })));
        File.WriteAllLines(Path.Combine(folder, "qrels", "test.tsv"), Queries.Select(q => $"{q.Id}\t{q.Relevant}\t1").Prepend("query-id\tcorpus-id\tscore"));
        return folder;
    }
}
