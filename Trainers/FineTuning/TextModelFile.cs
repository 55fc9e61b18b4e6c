using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// A text model read from any of the project's model files: a fine-tuned encoder (<c>train classify --out</c>), a
/// <c>SaveWithEncoders</c> pipeline or an ML.NET model file, told apart by the entries of the zip. Holds the fitted
/// pipeline and the text column(s) it reads; dispose it to release the ONNX Runtime sessions inside.
/// </summary>
public sealed class TextModelFile : IDisposable
{
    private const string FineTunedEntry = "fine_tuning.json";
    private const string PipelineEntry = "manifest.json";

    private TextModelFile(string path, TextModelFileKind kind, ITransformer model, DataViewSchema? inputSchema,
        string? textColumnName, string? pairColumnName, string? scoreColumnName, string description)
    {
        Path = path;
        Description = description;
        Kind = kind;
        Model = model;
        InputSchema = inputSchema;
        TextColumnName = textColumnName;
        PairColumnName = pairColumnName;
        ScoreColumnName = scoreColumnName;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>Which kind of file it is.</summary>
    public TextModelFileKind Kind { get; }

    /// <summary>The fitted pipeline.</summary>
    public ITransformer Model { get; }

    /// <summary>The input schema the file was saved with; null for a fine-tuned encoder, which names its columns itself.</summary>
    public DataViewSchema? InputSchema { get; }

    /// <summary>The text column the model reads: a fine-tuned encoder's own, else the first visible text column of the saved input schema (null when it has none).</summary>
    public string? TextColumnName { get; }

    /// <summary>The second text column of a fine-tuned pair model, or null.</summary>
    public string? PairColumnName { get; }

    /// <summary>A fine-tuned encoder's score column; null for other files.</summary>
    public string? ScoreColumnName { get; }

    /// <summary>Which kind of model file <paramref name="path"/> is, from its zip entries.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a zip, so none of the model files.</exception>
    public static TextModelFileKind ReadKind(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            if (zip.GetEntry(FineTunedEntry) is not null)
                return TextModelFileKind.FineTunedEncoder;
            return zip.GetEntry(PipelineEntry) is not null ? TextModelFileKind.EncoderPipeline : TextModelFileKind.MLNetModel;
        }
        catch (InvalidDataException ex)
        {
            throw NotAModel(path, ex);
        }
    }

    /// <summary>Reads <paramref name="path"/>, whichever kind of model file it is.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="path">The model file.</param>
    /// <param name="runtime">How a fine-tuned encoder is served (int8, threads); null serves it as saved. Other files ignore the
    /// thread count and refuse int8.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is none of the model files; the message names it.</exception>
    /// <exception cref="ArgumentException">Int8 was asked for a file that is not a fine-tuned encoder.</exception>
    public static TextModelFile Load(MLContext mlContext, string path, FineTunedRuntimeOptions? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        TextModelFileKind kind = ReadKind(path);
        if (kind == TextModelFileKind.FineTunedEncoder)
        {
            EncoderFineTuningTransformer model = EncoderFineTuningTransformer.Load(mlContext, path, runtime is { Int8: false } ? runtime.IntraOpThreads : null);
            if (runtime is { Int8: true })
            {
                EncoderFineTuningTransformer saved = model;
                try
                {
                    model = saved.WithRuntime(runtime);
                }
                finally
                {
                    saved.Dispose();
                }
            }
            string serving = (runtime is { Int8: true } ? ", int8" : "") + (runtime?.IntraOpThreads is int t ? $", {t} ONNX Runtime threads" : "");
            return new TextModelFile(path, kind, model, null, model.Info.SentenceColumnName, model.Info.SecondSentenceColumnName, model.Info.ScoreColumnName,
                $"fine-tuned encoder ({path}{serving})");
        }
        if (runtime is { Int8: true })
            throw new ArgumentException($"{path} is not a fine-tuned encoder (train classify --out); int8 serving applies to fine-tuned models only.", nameof(runtime));
        ITransformer pipeline;
        DataViewSchema schema;
        try
        {
            pipeline = kind == TextModelFileKind.EncoderPipeline ? mlContext.Model.LoadWithEncoders(path, out schema) : mlContext.Model.Load(path, out schema);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FormatException or IOException)
        {
            throw NotAModel(path, ex);
        }
        string? text = schema.FirstOrDefault(c => c.Type is TextDataViewType && !c.IsHidden).Name;
        return new TextModelFile(path, kind, pipeline, schema, text, null, null,
            kind == TextModelFileKind.EncoderPipeline ? $"ML.NET pipeline with encoders ({path})" : $"ML.NET pipeline ({path})");
    }

    /// <summary>What the model is, for reports: its kind, path and, for a fine-tuned encoder, how it is served.</summary>
    public string Description { get; }

    /// <summary>Disposes the pipeline when it holds native resources.</summary>
    public void Dispose() => (Model as IDisposable)?.Dispose();

    private static InvalidDataException NotAModel(string path, Exception inner) =>
        new($"'{path}' is not a model file (a zip written by train classify --out, SaveWithEncoders or mlContext.Model.Save): {inner.Message}", inner);
}
