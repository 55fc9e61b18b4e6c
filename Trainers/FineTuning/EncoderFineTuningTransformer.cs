using MLNetExt.Transforms.IO;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.IO;
using MLNetExt.Trainers.Onnx;
using MLNetExt.Trainers.Text;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// A fine-tuned encoder with its head, served by ONNX Runtime. Adds Score (class probabilities or a value) and, for
/// classification, PredictedLabel. Holds a native ONNX Runtime session: dispose it when done.
/// </summary>
/// <remarks>
/// ML.NET's model file cannot hold components from outside ML.NET (its save context is internal). A fitted pipeline
/// holding this transformer (with stock parts such as <c>MapValueToKey</c> around it) is saved into one file by
/// <c>mlContext.Model.SaveWithEncoders</c> and read back by <c>LoadWithEncoders</c> (through
/// <see cref="FineTunedModelPart"/>); the transformer alone also saves itself with <see cref="Save"/> / <see cref="Load"/>.
/// Saved layout, in both cases (format version 1): <c>model.onnx</c> (encoder and head; outputs
/// <c>last_hidden_state</c> and <c>logits</c>), <c>vocab.txt</c>, <c>fine_tuning.json</c> (task kind, classes,
/// column names, tokenization).
/// </remarks>
[PipelinePart(typeof(FineTunedModelPart))]
public sealed class EncoderFineTuningTransformer : ITransformer, IDisposable
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private const string ModelEntry = "model.onnx";
    private const string VocabularyEntry = "vocab.txt";
    private const string InfoEntry = "fine_tuning.json";
    private const int BatchRows = 32;

    private readonly FineTunedModelInfo _info;
    private readonly byte[] _onnx;
    private readonly byte[] _vocabulary;
    private readonly OnnxEncoderSession _session;
    private readonly EncoderTokenizer _tokenizer;

    internal EncoderFineTuningTransformer(FineTunedModelInfo info, byte[] onnx, byte[] vocabulary, TrainingResult? training)
    {
        _info = info;
        _onnx = onnx;
        _vocabulary = vocabulary;
        TrainingResult = training;
        _tokenizer = EncoderTokenizer.Create(new MemoryStream(vocabulary), info.LowerCase, info.MaxTokens);
        _session = new OnnxEncoderSession(onnx);
    }

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

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        if (Kind == FineTuningKind.Regression)
        {
            builder.AddColumn(_info.ScoreColumnName, NumberDataViewType.Single);
            return builder.ToSchema();
        }
        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        var keyAnnotations = new DataViewSchema.Annotations.Builder();
        if (_info.ClassNames is { } names)
        {
            var namesType = new VectorDataViewType(TextDataViewType.Instance, names.Length);
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> value) =>
                value = new VBuffer<ReadOnlyMemory<char>>(names.Length, names.Select(n => n.AsMemory()).ToArray());
            scoreAnnotations.Add("SlotNames", namesType, getNames);
            keyAnnotations.Add("KeyValues", namesType, getNames);
        }
        builder.AddColumn(_info.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, ClassCount), scoreAnnotations.ToAnnotations());
        builder.AddColumn(_info.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), ClassCount), keyAnnotations.ToAnnotations());
        return builder.ToSchema();
    }

    private void CheckInput(DataViewSchema schema)
    {
        foreach (string? name in new[] { _info.SentenceColumnName, _info.SecondSentenceColumnName })
        {
            if (name is null)
                continue;
            DataViewSchema.Column column = schema.GetColumnOrNull(name)
                ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{name}'");
            if (column.Type is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for input column '{name}': expected String, got {column.Type}");
        }
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new FineTunedPredictionDataView(this, input, GetOutputSchema(input.Schema), BatchRows);
    }

    /// <inheritdoc/>
    /// <remarks>Used by <c>PredictionEngine</c>: one row per ONNX Runtime call; <see cref="Transform"/> batches.</remarks>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new FineTunedRowMapper(this, inputSchema);
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
    public float[][] Predict(IReadOnlyList<string> sentences, IReadOnlyList<string>? secondSentences = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if ((secondSentences is null) != (_info.SecondSentenceColumnName is null))
            throw new ArgumentException(_info.SecondSentenceColumnName is null
                ? "This model was trained on single sentences; pass no second sentences."
                : "This model was trained on sentence pairs; pass the second sentences too.", nameof(secondSentences));
        var result = new float[sentences.Count][];
        for (int start = 0; start < sentences.Count; start += BatchRows)
        {
            int count = Math.Min(BatchRows, sentences.Count - start);
            TokenizedBatch batch = _tokenizer.Encode(Slice(sentences, start, count), secondSentences is null ? null : Slice(secondSentences, start, count));
            (float[] logits, _) = _session.Run(batch, "logits");
            for (int r = 0; r < count; r++)
            {
                float[] row = logits[(r * ClassCount)..((r + 1) * ClassCount)];
                result[start + r] = Kind == FineTuningKind.Classification ? Softmax(row) : row;
            }
        }
        return result;
    }

    private static string[] Slice(IReadOnlyList<string> list, int start, int count)
    {
        var slice = new string[count];
        for (int i = 0; i < count; i++)
            slice[i] = list[start + i];
        return slice;
    }

    private static float[] Softmax(float[] logits)
    {
        float max = logits.Max();
        float[] exp = logits.Select(l => MathF.Exp(l - max)).ToArray();
        float sum = exp.Sum();
        return exp.Select(e => e / sum).ToArray();
    }

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
    public static EncoderFineTuningTransformer Load(MLContext mlContext, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        using ZipArchive zip = ZipFile.OpenRead(path);
        return ReadEntries(name =>
        {
            ZipArchiveEntry entry = zip.GetEntry(name) ?? throw new InvalidDataException($"{path}: no '{name}' entry; is it a model saved by {nameof(EncoderFineTuningTransformer)}.Save?");
            using Stream stream = entry.Open();
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        }, path);
    }

    /// <summary>Hands the saved files to <paramref name="add"/>: name, bytes, and whether they are worth compressing.</summary>
    internal void WriteEntries(Action<string, byte[], bool> add)
    {
        add(ModelEntry, _onnx, false);
        add(VocabularyEntry, _vocabulary, true);
        add(InfoEntry, JsonSerializer.SerializeToUtf8Bytes(_info, s_indented), true);
    }

    /// <summary>Rebuilds a model from the files <see cref="WriteEntries"/> produced; <paramref name="source"/> names them in messages.</summary>
    internal static EncoderFineTuningTransformer ReadEntries(Func<string, byte[]> read, string source)
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
        return new EncoderFineTuningTransformer(info, read(ModelEntry), read(VocabularyEntry), null);
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
