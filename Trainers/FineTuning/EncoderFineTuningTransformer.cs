using MLNetExt.Transforms.IO;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// A fine-tuned encoder with its head, served by ONNX Runtime. Adds Score (class probabilities or a value) and, for
/// classification, PredictedLabel; a token classifier adds PredictedLabel and Score per word and an entities column.
/// Holds a native ONNX Runtime session: dispose it when done.
/// </summary>
/// <remarks>
/// <para>It serves through the same inference stack as <c>EncodeText</c> (tokenizer, session, length-sorted batches,
/// <c>PredictionEngine</c> row mapper, cancellation) with a head that reads the graph's <c>logits</c>; it tokenises
/// exactly as training did and as <c>EncodeText</c> does with the same maximum token count.</para>
/// <para>ML.NET's model file cannot hold components from outside ML.NET (its save context is internal). A fitted pipeline
/// holding this transformer (with stock parts such as <c>MapValueToKey</c> around it) is saved into one file by
/// <c>mlContext.Model.SaveWithEncoders</c> and read back by <c>LoadWithEncoders</c> (through
/// <see cref="FineTunedModelPart"/>); the transformer alone also saves itself with <see cref="Save"/> / <see cref="Load"/>.
/// Saved layout, in both cases (format version 1): <c>model.onnx</c> (encoder and head; outputs
/// <c>last_hidden_state</c> and <c>logits</c>), <c>vocab.txt</c>, <c>fine_tuning.json</c> (task kind, classes,
/// column names, tokenization).</para>
/// </remarks>
[PipelinePart(typeof(FineTunedModelPart))]
public sealed partial class EncoderFineTuningTransformer : IOwnedTransformer, ICancellableTransformer
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private const string ModelEntry = "model.onnx";
    private const string VocabularyEntry = "vocab.txt";
    private const string InfoEntry = "fine_tuning.json";
    private const int BatchRows = 32;
    private const int SortWindow = 1024;
    private const string Component = "EncoderFineTuning";

    private readonly FineTunedModelInfo _info;
    private readonly byte[] _onnx;
    private readonly byte[] _vocabulary;
    private readonly IHostEnvironment _environment;

    internal EncoderFineTuningTransformer(IHostEnvironment environment, FineTunedModelInfo info, byte[] onnx, byte[] vocabulary, TrainingResult? training,
        int? intraOpThreads = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _environment = environment;
        _info = info;
        _onnx = onnx;
        _vocabulary = vocabulary;
        TrainingResult = training;
        var config = new EncoderConfig
        {
            Name = info.EncoderName ?? "fine-tuned encoder",
            HiddenSize = info.HiddenSize,
            MaxPositionEmbeddings = info.MaxPositionEmbeddings,
            MaxTokens = info.MaxTokens,
            LowerCase = info.LowerCase,
            Source = "fine-tuned by MLNetExt.Trainers",
        };
        EncoderModel model = Encoder(config, onnx, vocabulary);
        var settings = new EncoderServingSettings(info.SentenceColumnName, info.SecondSentenceColumnName, BatchRows, SortWindow,
            new EncoderRuntimeSettings(Component, nameof(EncoderFineTuningTransformer), EncoderExecutionProvider.Auto, intraOpThreads, Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL),
            FuseGraph: false); // the trainer exports the graph with the fused kernels already
        EncoderHead head = info.Kind == FineTuningKind.TokenClassification ? new TokenClassificationHead(info) : new FineTunedHead(info);
        Serving = new EncoderServing(environment, model, EncoderTokenizer.Create(model, info.MaxTokens), settings, head);
    }

    private static EncoderModel Encoder(EncoderConfig config, byte[] onnx, byte[] vocabulary) =>
        EncoderModel.FromBytes(config, onnx, vocabulary, ModelEntry, VocabularyEntry);

    /// <summary>
    /// A copy of this model served another way: its graph quantised to int8 (<see cref="FineTunedRuntimeOptions.Int8"/>,
    /// through <see cref="Transforms.Onnx.EncoderQuantizer"/>) and/or with a fixed number of ONNX Runtime threads. Same
    /// classes, columns and tokenization; this model is not changed. The copy holds its own session: dispose it too.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The thread count is below 1.</exception>
    /// <exception cref="InvalidDataException">Int8 was asked for and the graph is quantised already.</exception>
    public EncoderFineTuningTransformer WithRuntime(FineTunedRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.IntraOpThreads is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.IntraOpThreads, $"IntraOpThreads must be at least 1 or null, got {options.IntraOpThreads}.");
        byte[] onnx = _onnx;
        if (options.Int8)
        {
            var config = new EncoderConfig { Name = _info.EncoderName ?? "fine-tuned encoder", HiddenSize = _info.HiddenSize, MaxTokens = _info.MaxTokens, LowerCase = _info.LowerCase };
            onnx = Transforms.Onnx.EncoderQuantizer.Quantize(Encoder(config, _onnx, _vocabulary), new Transforms.Onnx.EncoderQuantizationOptions { FuseGraph = false })
                .Model.ReadOnnxBytes();
        }
        return new EncoderFineTuningTransformer(_environment, _info, onnx, _vocabulary, TrainingResult, options.IntraOpThreads);
    }

    /// <summary>The inference stack (the tokenizer training used, session, batched view, row mapper) with the logits head.</summary>
    internal EncoderServing Serving { get; }

    /// <summary>Classification or regression.</summary>
    public FineTuningKind Kind => _info.Kind;

    /// <summary>Number of classes (1 for regression).</summary>
    public int ClassCount => _info.ClassCount;

    /// <summary>What the training run did; null for a loaded model.</summary>
    public TrainingResult? TrainingResult { get; }

    /// <summary>True: <c>PredictionEngine</c> scores one row at a time through <see cref="GetRowToRowMapper"/>.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The column names and types this transformer adds.</summary>
    internal FineTunedModelInfo Info => _info;

    /// <summary>The served graph (encoder and head), as saved.</summary>
    internal byte[] OnnxBytes => _onnx;

    /// <summary>The vocabulary file, as saved.</summary>
    internal byte[] VocabularyBytes => _vocabulary;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">A sentence column is missing or is not text.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Serving.Bind(inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => Transform(input, CancellationToken.None);

    /// <summary>
    /// A lazy view of <paramref name="input"/> with the prediction columns, computed in length-sorted batches; its
    /// cursors stop with <see cref="OperationCanceledException"/> before the next batch once
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A sentence column is missing or is not text.</exception>
    public IDataView Transform(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Serving.Transform(input, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Used by <c>PredictionEngine</c>: one row per ONNX Runtime call; <see cref="Transform(IDataView)"/> batches.</remarks>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Serving.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Not supported: ML.NET's model file cannot hold this transformer.</summary>
    /// <exception cref="NotSupportedException">Always; the message names <c>SaveWithEncoders</c> and <see cref="Save"/>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            $"{nameof(EncoderFineTuningTransformer)} cannot be written into ML.NET's model file: ML.NET keeps that format closed to other assemblies. " +
            "Save the pipeline with mlContext.Model.SaveWithEncoders(model, inputSchema, path) and load it with " +
            "mlContext.Model.LoadWithEncoders(path, out inputSchema) (using MLNetExt;). " +
            $"The model alone also saves with {nameof(EncoderFineTuningTransformer)}.Save(path) and loads with {nameof(EncoderFineTuningTransformer)}.Load(mlContext, path).");

    /// <summary>Scores rows: class probabilities (softmax of the logits) or the regression value, one array per row.</summary>
    /// <exception cref="InvalidOperationException">The model is a token classifier (use <see cref="PredictTags"/> or <see cref="PredictEntities"/>).</exception>
    public float[][] Predict(IReadOnlyList<string> sentences, IReadOnlyList<string>? secondSentences = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (Kind == FineTuningKind.TokenClassification)
            throw new InvalidOperationException($"This model tags words; call {nameof(PredictTags)} or {nameof(PredictEntities)}.");
        if ((secondSentences is null) != (_info.SecondSentenceColumnName is null))
            throw new ArgumentException(_info.SecondSentenceColumnName is null
                ? "This model was trained on single sentences; pass no second sentences."
                : "This model was trained on sentence pairs; pass the second sentences too.", nameof(secondSentences));
        return Serving.Encode(sentences, secondSentences, CancellationToken.None).Select(row => (float[])row.Values[0]!.Clone()).ToArray();
    }

    /// <summary>
    /// Token classification: the predicted tag of every word (whitespace-separated) of each sentence, in length-sorted
    /// batches. Words past the maximum token count are tagged <c>O</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not a token classifier.</exception>
    public string[][] PredictTags(IReadOnlyList<string> sentences, CancellationToken cancellationToken = default)
    {
        TokenClassificationHead head = TokenHead();
        return Serving.Encode(sentences, null, cancellationToken).Select(head.Tags).ToArray();
    }

    /// <summary>Token classification: the entities (type, first word, end word, text) of each sentence, decoded from <see cref="PredictTags"/>.</summary>
    /// <exception cref="InvalidOperationException">The model is not a token classifier.</exception>
    public IReadOnlyList<EntitySpan>[] PredictEntities(IReadOnlyList<string> sentences, CancellationToken cancellationToken = default)
    {
        TokenClassificationHead head = TokenHead();
        return Serving.Encode(sentences, null, cancellationToken).Select(row => (IReadOnlyList<EntitySpan>)head.Entities(row)).ToArray();
    }

    /// <summary>Token classification: the tag names, by class index (key value - 1).</summary>
    public IReadOnlyList<string>? Tags => Kind == FineTuningKind.TokenClassification ? _info.ClassNames : null;

    private TokenClassificationHead TokenHead() => Serving.Head as TokenClassificationHead
        ?? throw new InvalidOperationException($"This model is a {Kind} model, not a token classifier; call {nameof(Predict)}.");

    /// <summary>Writes the encoder and head as one ONNX graph (outputs <c>last_hidden_state</c> and <c>logits</c>), atomically.</summary>
    public void ExportOnnx(string path) => AtomicFile.WriteAllBytes(path, _onnx);

    /// <summary>Saves the model to a zip file, atomically (a temporary file, then a rename).</summary>
    public void Save(string path) =>
        AtomicFile.WriteStream(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteEntries((name, bytes, _) =>
            {
                using Stream entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                entry.Write(bytes);
            });
        });

    /// <summary>Loads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a saved fine-tuned model.</exception>
    public static EncoderFineTuningTransformer Load(MLContext mlContext, string path) => Load(mlContext, path, null);

    /// <summary>Loads a model written by <see cref="Save"/>, served with <paramref name="intraOpThreads"/> ONNX Runtime threads (null: one per core).</summary>
    internal static EncoderFineTuningTransformer Load(MLContext mlContext, string path, int? intraOpThreads)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        ZipArchive opened;
        try
        {
            opened = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a model saved by {nameof(EncoderFineTuningTransformer)}.Save (a zip with model.onnx, vocab.txt, fine_tuning.json): {e.Message}", e);
        }
        using ZipArchive zip = opened;
        return ReadEntries(mlContext, name =>
        {
            ZipArchiveEntry entry = zip.GetEntry(name) ?? throw new InvalidDataException($"{path}: no '{name}' entry; is it a model saved by {nameof(EncoderFineTuningTransformer)}.Save?");
            using Stream stream = entry.Open();
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        }, path, intraOpThreads);
    }

    /// <summary>Hands the saved files to <paramref name="add"/>: name, bytes, and whether they are worth compressing.</summary>
    internal void WriteEntries(Action<string, byte[], bool> add)
    {
        add(ModelEntry, _onnx, false);
        add(VocabularyEntry, _vocabulary, true);
        add(InfoEntry, JsonSerializer.SerializeToUtf8Bytes(_info, s_indented), true);
    }

    /// <summary>Rebuilds a model from the files <see cref="WriteEntries"/> produced; <paramref name="source"/> names them in messages.</summary>
    internal static EncoderFineTuningTransformer ReadEntries(IHostEnvironment environment, Func<string, byte[]> read, string source, int? intraOpThreads = null)
    {
        FineTunedModelInfo info;
        try
        {
            info = JsonSerializer.Deserialize<FineTunedModelInfo>(read(InfoEntry)) ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: '{InfoEntry}' is not valid: {ex.Message}", ex);
        }
        if (info.FormatVersion != 1)
            throw new InvalidDataException($"{source}: format version {info.FormatVersion}, this library reads version 1.");
        return new EncoderFineTuningTransformer(environment, info, read(ModelEntry), read(VocabularyEntry), null, intraOpThreads);
    }

    /// <inheritdoc/>
    public bool IsDisposed => Serving.Session.IsDisposed;

    /// <inheritdoc/>
    public void Dispose() => Serving.Dispose();

    /// <summary>Fine-tuning options naming this model's columns and token limit, for trainers that continue from it.</summary>
    internal EncoderFineTuningOptions ColumnOptions(string labelColumnName) => new()
    {
        LabelColumnName = labelColumnName,
        SentenceColumnName = Info.SentenceColumnName,
        SecondSentenceColumnName = Info.SecondSentenceColumnName,
        ScoreColumnName = Info.ScoreColumnName,
        PredictedLabelColumnName = Info.PredictedLabelColumnName,
        MaxTokens = Info.MaxTokens,
    };
}
