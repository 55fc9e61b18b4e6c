using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.Schema;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// What every trainer that retrains a fine-tuned sentence classifier or regressor shares (head pruning, token pruning):
/// the model with its encoder weights and head read back from its graph, the output schema (the model's own), the
/// labelled rows of an <see cref="IDataView"/> tokenised as the model tokenises, and the retrained graph served with the
/// model's settings and vocabulary.
/// </summary>
internal sealed class FineTunedModelRetraining
{
    private readonly string _labelColumnName;

    /// <summary>Reads the encoder and head of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The model tags words or its graph has no linear head; the message names <paramref name="source"/>.</exception>
    public FineTunedModelRetraining(IHostEnvironment host, EncoderFineTuningTransformer model, string labelColumnName, string source)
    {
        Host = host ?? throw new ArgumentNullException(nameof(host));
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _labelColumnName = labelColumnName;
        (Weights, Head) = FineTunedClassifierGraph.Read(model, source);
    }

    /// <summary>The ML.NET environment (logging).</summary>
    public IHostEnvironment Host { get; }

    /// <summary>The fine-tuned model being retrained (the caller's; never changed).</summary>
    public EncoderFineTuningTransformer Model { get; }

    /// <summary>The model's encoder weights.</summary>
    public BertWeights Weights { get; }

    /// <summary>The model's linear head with its pooling.</summary>
    public OnnxLinearHead Head { get; }

    /// <summary>
    /// The output schema: the input's columns checked (sentence columns, label) and the model's outputs added; with
    /// <paramref name="labelled"/> false the label column is optional (training from a teacher's outputs alone).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema, bool labelled = true)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new EncoderFineTuningTrainer(Host, Model.ColumnOptions(_labelColumnName), Model.Kind).GetOutputSchema(inputSchema, labelled);
    }

    /// <summary>
    /// The labelled rows of <paramref name="input"/> after the schema check, tokenised with the model's tokenizer; with
    /// <paramref name="labelled"/> false every row, its label not read (targets 0).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    public FineTuningRows ReadRows(IDataView input, bool labelled = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShapeFactory.Create(input.Schema), labelled);
        return FineTuningData.Read(input, Model.ColumnOptions(_labelColumnName), Model.Kind, Model.Serving.Tokenizer, "training data", labelled);
    }

    /// <summary>
    /// <paramref name="onnx"/> served as the model is (same settings and vocabulary), its encoder name followed by
    /// <paramref name="description"/> when one is given.
    /// </summary>
    public EncoderFineTuningTransformer Serve(byte[] onnx, string? description, TrainingResult? training)
    {
        if (description is null)
            return Model.WithGraph(onnx, training);
        FineTunedModelInfo info = JsonSerializer.Deserialize<FineTunedModelInfo>(JsonSerializer.SerializeToUtf8Bytes(Model.Info))!;
        info.EncoderName = $"{Model.Info.EncoderName} ({description})";
        return new EncoderFineTuningTransformer(Host, info, onnx, Model.VocabularyBytes, training);
    }
}
