using MLNetExt.Repository;
using MLNetExt.Samples;

// Runs one sample by name: dotnet run --project Samples -c Release -- <name> [data-folder] [rows].
// Samples that read benchmark data take the folder holding scifact/, stsb/, sst2/ (default: MLNETEXT_SHARED_DATA,
// else shared/data found above the current folder) and a row cap (each sample's own default when left out).
var samples = new Dictionary<string, Action<string[]>>(StringComparer.OrdinalIgnoreCase)
{
    ["encode"] = _ => TextEncoderSample.Example(),
    ["context"] = _ => ContextCompressionSample.Example(),
    ["ranking"] = _ => RankingMetricsSample.Example(),
    ["tuner"] = _ => TunerSample.Example(),
    ["search"] = a => SemanticSearchSample.Example(DataFolder(a), Rows(a) ?? 1000),
    ["sts"] = a => StsEvaluationSample.Example(DataFolder(a), Rows(a) ?? 0),
    ["finetune"] = a => TextClassificationFineTuningSample.Example(DataFolder(a), Rows(a) ?? 64),
    ["ner"] = a => NamedEntityRecognitionSample.Example(DataFolder(a), Rows(a) ?? 64),
    ["keywords"] = a => KeywordRetrievalSample.Example(a.Length > 0 ? a[0] : null),
    ["sweep"] = a => TextClassificationSweepSample.Example(DataFolder(a), Rows(a) ?? 2000),
    ["explain"] = a => TextAttributionSample.Example(DataFolder(a), Rows(a) ?? 2000),
    ["saveload"] = a => EncoderPipelineSaveLoadSample.Example(DataFolder(a), Rows(a) ?? 300),
    ["align"] = a => CrossModalAlignmentSample.Example(DataFolder(a), Rows(a) ?? 20),
    ["compress"] = a => EncoderCompressionSample.Example(DataFolder(a), Rows(a) ?? 2000),
    ["vectorstore"] = a => VectorStoreSample.ExampleAsync(DataFolder(a), Rows(a) ?? 200).GetAwaiter().GetResult(),
    ["tokens"] = a => TokenPruningSample.Example(DataFolder(a), Rows(a) ?? 64, a.Length > 2 ? a[2] : null),
    ["prune"] = a => HeadPruningSample.Example(DataFolder(a), Rows(a) ?? 2000),
    ["autocompress"] = a => CompressionSweepSample.Example(DataFolder(a), Rows(a) ?? 1000),
    ["shrp"] = a => ClassifierHeadPruningSample.Example(DataFolder(a), Rows(a) ?? 2000, a.Length > 2 ? a[2] : null),
    ["distil"] = a => ClassifierDistillationSample.Example(DataFolder(a), Rows(a) ?? 2000, a.Length > 2 ? a[2] : null),
    ["contrastive"] = a => SentenceEncoderTrainingSample.Example(DataFolder(a), Rows(a) ?? 2000, epochs: a.Length > 2 ? int.Parse(a[2]) : 1),
};

if (args.Length == 0 || !samples.TryGetValue(args[0], out Action<string[]>? sample))
{
    Console.WriteLine($"usage: dotnet run --project Samples -c Release -- <{string.Join("|", samples.Keys)}> [data-folder] [rows]");
    return args.Length == 0 ? 0 : 1;
}
try
{
    sample(args[1..]);
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException)
{
    // Bad arguments and missing data files are the user's to fix: say what is wrong without a stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static string DataFolder(string[] args) =>
    args.Length > 0 ? args[0] : SharedDataFolder.Require(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);

static int? Rows(string[] args) =>
    args.Length < 2 ? null
    : int.TryParse(args[1], out int rows) && rows >= 0 ? rows
    : throw new ArgumentException($"The row cap must be a non-negative whole number; got '{args[1]}'.");
