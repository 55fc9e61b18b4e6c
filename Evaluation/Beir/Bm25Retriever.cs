using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// BM25 baseline on Lucene.Net 4.8: an in-memory index of the corpus, analysed with Lucene's
/// <see cref="EnglishAnalyzer"/> (StandardTokenizer, EnglishPossessiveFilter, LowerCaseFilter, StopFilter with
/// Lucene's 33 English stop words, PorterStemFilter — the chain of Anserini's default English analyzer), scored by
/// <see cref="BM25Similarity"/>. Queries are bags of words: each distinct analysed term is a SHOULD clause boosted by
/// its count, as Anserini's BagOfWordsQueryGenerator builds them.
/// </summary>
public static class Bm25Retriever
{
    private const string IdField = "id";
    private const string ContentsField = "contents";
    private static readonly LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>Indexes the corpus and retrieves the top documents of every query.</summary>
    public static RankingRun Retrieve(BeirDataset dataset, Bm25Options? options = null,
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new Bm25Options();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TopK);
        var similarity = new BM25Similarity(options.K1, options.B);

        using var analyzer = new EnglishAnalyzer(Version);
        using var directory = new RAMDirectory();
        var config = new IndexWriterConfig(Version, analyzer) { Similarity = similarity, OpenMode = OpenMode.CREATE };
        using (var writer = new IndexWriter(directory, config))
        {
            var corpus = dataset.Corpus;
            for (int i = 0; i < corpus.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var doc = new Document
                {
                    new StringField(IdField, corpus[i].Id, Field.Store.YES),
                    new TextField(ContentsField, options.IncludeTitle ? corpus[i].TitleAndText : corpus[i].Text, Field.Store.NO),
                };
                writer.AddDocument(doc);
                if ((i + 1) % 1000 == 0 || i + 1 == corpus.Count)
                    progress?.Report(new EncodingProgress("indexing", i + 1, corpus.Count));
            }
            writer.Commit();
        }

        var run = new RankingRun();
        using var reader = DirectoryReader.Open(directory);
        var searcher = new IndexSearcher(reader) { Similarity = similarity };
        var queries = dataset.Queries;
        for (int q = 0; q < queries.Count; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            run.AddQuery(queries[q].Id);
            var query = BagOfWords(analyzer, queries[q].Text);
            if (query.Clauses.Count > 0)
            {
                // One extra hit so that dropping the query's own id still leaves TopK.
                var hits = searcher.Search(query, options.TopK + (options.SkipIdenticalIds ? 1 : 0)).ScoreDocs;
                int kept = 0;
                foreach (var hit in hits)
                {
                    string id = searcher.Doc(hit.Doc).Get(IdField, CultureInfo.InvariantCulture);
                    if (options.SkipIdenticalIds && id == queries[q].Id)
                        continue;
                    if (kept++ == options.TopK)
                        break;
                    run.Add(queries[q].Id, id, hit.Score);
                }
            }
            if ((q + 1) % 100 == 0 || q + 1 == queries.Count)
                progress?.Report(new EncodingProgress("searching", q + 1, queries.Count));
        }
        return run;
    }

    /// <summary>The analysed terms of a text, in order (for tests and diagnostics).</summary>
    public static IReadOnlyList<string> Analyze(string text)
    {
        using var analyzer = new EnglishAnalyzer(Version);
        return Terms(analyzer, text);
    }

    private static List<string> Terms(Analyzer analyzer, string text)
    {
        var terms = new List<string>();
        using var stream = analyzer.GetTokenStream(ContentsField, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
            terms.Add(term.ToString());
        stream.End();
        return terms;
    }

    private static BooleanQuery BagOfWords(Analyzer analyzer, string text)
    {
        var query = new BooleanQuery();
        var groups = Terms(analyzer, text).GroupBy(t => t, StringComparer.Ordinal).ToList();
        if (groups.Count > BooleanQuery.MaxClauseCount)
            BooleanQuery.MaxClauseCount = groups.Count; // long queries (ArguAna) exceed Lucene's default of 1024
        foreach (var group in groups)
        {
            var clause = new TermQuery(new Term(ContentsField, group.Key)) { Boost = group.Count() };
            query.Add(clause, Occur.SHOULD);
        }
        return query;
    }
}
