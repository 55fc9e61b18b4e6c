using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.UnitTests.Evaluation;

/// <summary>Keyword re-ranking (boost, filter, fallback, ties, queries without keywords) with a gazetteer on a tiny corpus.</summary>
[TestClass]
public sealed class KeywordRerankerTests
{
    private static readonly BeirDocument[] Corpus =
    [
        new("d1", "Red Toyota Corolla", "a small sedan"),
        new("d2", "", "blue TOYOTA hatchback"),
        new("d3", "Green Honda", "carbon roof, not a toyota-free zone"),
        new("d4", "Café racer", "a red motorbike"),
    ];

    private static RankingRun Run(params (string Query, string Document, double Score)[] entries)
    {
        var run = new RankingRun();
        foreach (var (query, document, score) in entries)
            run.Add(query, document, score);
        return run;
    }

    private static Dictionary<string, IReadOnlyList<string>> Keywords(string query, params string[] keywords) =>
        new() { [query] = keywords };

    private static string[] Ranked(RankingRun run, string query) => run.Ranked(query).Select(d => d.Key).ToArray();

    [TestMethod]
    public void Gazetteer_FindsWholeWordsIgnoringCaseAndAccents_LongestPhraseFirst()
    {
        var gazetteer = new GazetteerKeywordExtractor(["red", "Toyota", "New York", "york", "cafe", "car", "  ", "RED"]);
        Assert.AreEqual(6, gazetteer.Count, "Blank and repeated phrases are dropped.");
        IReadOnlyList<string>[] found = gazetteer.ExtractKeywords(
            ["A RED toyota in new-york?", "CAFÉ near York", "carbon scarf", ""]);
        CollectionAssert.AreEquivalent(new[] { "red", "Toyota", "New York" }, found[0].ToArray(), "'york' is inside 'new york' and is not reported alone.");
        CollectionAssert.AreEquivalent(new[] { "cafe", "york" }, found[1].ToArray());
        Assert.AreEqual(0, found[2].Count, "'car' is not a whole word of 'carbon' or 'scarf'.");
        Assert.AreEqual(0, found[3].Count);
        Assert.ThrowsExactly<ArgumentException>(() => new GazetteerKeywordExtractor(["?!", " "]));
    }

    [TestMethod]
    public void Filter_All_KeepsDocumentsWithEveryKeyword_Any_WithOne()
    {
        RankingRun first = Run(("q", "d1", 0.25), ("q", "d2", 0.5), ("q", "d3", 0.75), ("q", "d4", 0.125));
        var keywords = Keywords("q", "red", "toyota");

        KeywordRerankResult all = KeywordReranker.Rerank(Corpus, first, keywords, new KeywordRerankOptions { Mode = KeywordRerankMode.Filter });
        CollectionAssert.AreEqual(new[] { "d1" }, Ranked(all.Run, "q"));
        Assert.AreEqual(0.25, all.Run.For("q")!["d1"], "Filtering keeps the first stage's score.");
        Assert.AreEqual(3, all.DocumentsRemoved);
        Assert.AreEqual(1, all.QueriesChanged);

        KeywordRerankResult any = KeywordReranker.Rerank(Corpus, first, keywords,
            new KeywordRerankOptions { Mode = KeywordRerankMode.Filter, Match = KeywordMatch.Any });
        // d3 holds "toyota" as a word of "toyota-free"; d4 holds "red".
        CollectionAssert.AreEqual(new[] { "d3", "d2", "d1", "d4" }, Ranked(any.Run, "q"));
        Assert.AreEqual(0, any.DocumentsRemoved);
        Assert.AreEqual(4, any.DocumentsWithKeywords);
        Assert.AreEqual(0, any.QueriesChanged);

        KeywordRerankResult titleless = KeywordReranker.Rerank(Corpus, first, keywords,
            new KeywordRerankOptions { Mode = KeywordRerankMode.Filter, Match = KeywordMatch.Any, IncludeTitle = false });
        CollectionAssert.AreEqual(new[] { "d3", "d2", "d4" }, Ranked(titleless.Run, "q"), "d1's keywords are only in its title.");
    }

    [TestMethod]
    public void Filter_FallsBackToTheWholeListWhenNothingMatches()
    {
        RankingRun first = Run(("q", "d1", 0.25), ("q", "d2", 0.5));
        KeywordRerankResult result = KeywordReranker.Rerank(Corpus, first, Keywords("q", "purple"),
            new KeywordRerankOptions { Mode = KeywordRerankMode.Filter });
        CollectionAssert.AreEqual(new[] { "d2", "d1" }, Ranked(result.Run, "q"));
        Assert.AreEqual(1, result.FilterFallbacks);
        Assert.AreEqual(1, result.QueriesWithKeywords);
        Assert.AreEqual(0, result.QueriesChanged);
    }

    [TestMethod]
    public void Boost_AddsWeightTimesRangeTimesFractionOfKeywords()
    {
        // Range 0.75 - 0.25 = 0.5; weight 2 lifts a document holding both keywords by 1.0 and one holding one by 0.5.
        RankingRun first = Run(("q", "d1", 0.25), ("q", "d2", 0.5), ("q", "d4", 0.75));
        KeywordRerankResult result = KeywordReranker.Rerank(Corpus, first, Keywords("q", "Red", "TOYOTA"), new KeywordRerankOptions { Weight = 2 });
        IReadOnlyDictionary<string, double> scores = result.Run.For("q")!;
        Assert.AreEqual(1.25, scores["d1"], 1e-12);
        Assert.AreEqual(1.0, scores["d2"], 1e-12);
        Assert.AreEqual(1.25, scores["d4"], 1e-12, "d4 holds 'red' (half the keywords): 0.75 + 2 x 0.5 x 0.5.");
        // d1 and d4 tie at 1.25: trec_eval's order puts the larger id first.
        CollectionAssert.AreEqual(new[] { "d4", "d1", "d2" }, Ranked(result.Run, "q"));
        Assert.AreEqual(1, result.QueriesChanged);
        Assert.AreEqual(3, result.DocumentsWithKeywords);

        KeywordRerankResult none = KeywordReranker.Rerank(Corpus, first, Keywords("q", "red", "toyota"), new KeywordRerankOptions { Weight = 0 });
        CollectionAssert.AreEqual(new[] { "d4", "d2", "d1" }, Ranked(none.Run, "q"), "Weight 0 changes nothing.");
        Assert.AreEqual(0, none.QueriesChanged);
    }

    [TestMethod]
    public void Boost_BreaksATieOfTheFirstStageInFavourOfTheKeyword()
    {
        // Equal scores rank by id descending (d3 first); the keyword lifts d1 above it, however small the weight.
        RankingRun first = Run(("q", "d1", 0.5), ("q", "d3", 0.5));
        CollectionAssert.AreEqual(new[] { "d3", "d1" }, Ranked(first, "q"));
        KeywordRerankResult result = KeywordReranker.Rerank(Corpus, first, Keywords("q", "corolla"), new KeywordRerankOptions { Weight = 0.01 });
        CollectionAssert.AreEqual(new[] { "d1", "d3" }, Ranked(result.Run, "q"));
        Assert.AreEqual(0.51, result.Run.For("q")!["d1"], 1e-12, "With no score range the lift is the weight itself.");
    }

    [TestMethod]
    public void QueriesWithoutKeywords_KeepTheirListAndScores()
    {
        RankingRun first = Run(("q1", "d1", 0.25), ("q1", "d2", 0.5), ("q2", "d3", 0.3), ("q3", "d4", 0.1));
        first.AddQuery("q4");
        var keywords = new Dictionary<string, IReadOnlyList<string>> { ["q1"] = [], ["q2"] = ["?!"] };
        foreach (KeywordRerankMode mode in new[] { KeywordRerankMode.Boost, KeywordRerankMode.Filter })
        {
            KeywordRerankResult result = KeywordReranker.Rerank(Corpus, first, keywords, new KeywordRerankOptions { Mode = mode });
            Assert.AreEqual(4, result.Queries);
            Assert.AreEqual(4, result.Run.QueryCount, "A query that retrieved nothing stays in the run.");
            Assert.AreEqual(0, result.QueriesWithKeywords);
            Assert.AreEqual(0, result.QueriesChanged);
            foreach (string query in first.QueryIds)
                CollectionAssert.AreEqual(first.Ranked(query).ToArray(), result.Run.Ranked(query).ToArray());
        }
    }

    [TestMethod]
    public void ExtractKeywords_DropsBlankAndRepeatedKeywords()
    {
        var extractor = new FixedExtractor([["Toyota", "TOYOTA", " ?! ", "Café", "cafe"], []]);
        IReadOnlyDictionary<string, IReadOnlyList<string>> keywords =
            KeywordReranker.ExtractKeywords([new BeirQuery("a", "x"), new BeirQuery("b", "y")], extractor);
        CollectionAssert.AreEqual(new[] { "Toyota", "Café" }, keywords["a"].ToArray());
        Assert.AreEqual(0, keywords["b"].Count);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            KeywordReranker.ExtractKeywords([new BeirQuery("a", "x")], extractor));
        StringAssert.Contains(e.Message, "2 keyword lists for 1 queries");
    }

    [TestMethod]
    public void BadInput_IsRefusedWithTheNameOfTheProblem()
    {
        RankingRun first = Run(("q", "d9", 1.0));
        var e = Assert.ThrowsExactly<ArgumentException>(() => KeywordReranker.Rerank(Corpus, first, Keywords("q", "red")));
        StringAssert.Contains(e.Message, "document 'd9' for query 'q'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KeywordReranker.Rerank(Corpus, first, Keywords("q", "red"), new KeywordRerankOptions { Weight = -1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KeywordReranker.Rerank(Corpus, first, Keywords("q", "red"), new KeywordRerankOptions { Weight = double.NaN }));
    }

    [TestMethod]
    public void Describe_NamesTheModeAndSetting()
    {
        Assert.AreEqual("keyword boost 0.25", new KeywordRerankOptions { Weight = 0.25 }.Describe());
        Assert.AreEqual("keyword filter (any)", new KeywordRerankOptions { Mode = KeywordRerankMode.Filter, Match = KeywordMatch.Any }.Describe());
    }

    private sealed class FixedExtractor(IReadOnlyList<string>[] lists) : IQueryKeywordExtractor
    {
        public IReadOnlyList<string>[] ExtractKeywords(IReadOnlyList<string> queries, CancellationToken cancellationToken = default) => lists;
    }
}
