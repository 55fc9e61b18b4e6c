using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.Schema;
using TorchSharp;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// Fine-tunes a BERT-family encoder (all-MiniLM-L6-v2 by default) with a linear head on one sentence or a sentence
/// pair: text classification (cross-entropy) or regression such as STS-B (mean squared error). Trains with TorchSharp,
/// then exports encoder and head to one ONNX graph that the fitted <see cref="EncoderFineTuningTransformer"/> runs
/// with ONNX Runtime.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>Sentence (Text), optional second sentence (Text), Label (key for
/// classification, Single for regression).</description></item>
/// <item><term>Output columns</term><description>Score (vector of Single class probabilities, or Single) and, for
/// classification, PredictedLabel (key).</description></item>
/// <item><term>Needs training</term><description>Yes.</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes (<see cref="EncoderFineTuningTransformer.ExportOnnx"/>).</description></item>
/// </list>
/// Created by <c>mlContext.MulticlassClassification.Trainers.EncoderTextClassification(...)</c> or
/// <c>mlContext.Regression.Trainers.EncoderSentenceSimilarity(...)</c>.
/// </remarks>
public sealed class EncoderFineTuningTrainer : IEstimator<EncoderFineTuningTransformer>
{
    private readonly IHostEnvironment _host;
    private readonly EncoderFineTuningOptions _options;

    internal EncoderFineTuningTrainer(IHostEnvironment host, EncoderFineTuningOptions options, FineTuningKind kind)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
        Kind = kind;
        IReadOnlyList<string> measures = kind == FineTuningKind.Classification ? FineTuningTask.ClassificationMeasures : FineTuningTask.RegressionMeasures;
        if (_options.ValidationMetric is { } metric && !measures.Contains(metric))
            throw new ArgumentOutOfRangeException(nameof(options), metric,
                $"ValidationMetric '{metric}' is not a {kind.ToString().ToLowerInvariant()} measure; expected one of {string.Join(", ", measures)}.");
    }

    /// <summary>Classification or regression.</summary>
    public FineTuningKind Kind { get; }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => GetOutputSchema(inputSchema, labelled: true);

    /// <summary>
    /// The output schema; with <paramref name="labelled"/> false the label column is not required (a model distilled
    /// from a teacher learns from text alone), and is checked only when present.
    /// </summary>
    internal SchemaShape GetOutputSchema(SchemaShape inputSchema, bool labelled)
    {
        CheckText(inputSchema, _options.SentenceColumnName);
        if (_options.SecondSentenceColumnName is not null)
            CheckText(inputSchema, _options.SecondSentenceColumnName);
        bool found = TryFind(inputSchema, _options.LabelColumnName, out SchemaShape.Column label);
        if (!found && labelled)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find input column '{_options.LabelColumnName}'");
        if (found && (Kind == FineTuningKind.Classification ? !label.IsKey || label.Kind != SchemaShape.Column.VectorKind.Scalar
            : label.ItemType != NumberDataViewType.Single || label.Kind != SchemaShape.Column.VectorKind.Scalar))
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Schema mismatch for input column '{_options.LabelColumnName}': expected {(Kind == FineTuningKind.Classification ? "Key" : "Single")}, got {label.ItemType}");

        if (Kind == FineTuningKind.Regression)
            return SchemaShapeFactory.With(inputSchema, SchemaShapeFactory.Column(_options.ScoreColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single));
        // Class names travel like ML.NET's own multiclass trainers carry them: SlotNames on Score, KeyValues on
        // PredictedLabel, so that MapKeyToValue("PredictedLabel") can follow in the same pipeline.
        bool named = found && label.Annotations?.Any(c => c.Name == "KeyValues" && c.ItemType is TextDataViewType) == true;
        SchemaShape Names(string kind) => new([SchemaShapeFactory.Column(kind, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance)]);
        return SchemaShapeFactory.With(inputSchema,
            SchemaShapeFactory.Column(_options.ScoreColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single,
                annotations: named ? Names("SlotNames") : null),
            SchemaShapeFactory.Column(_options.PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, isKey: true,
                annotations: named ? Names("KeyValues") : null));
    }

    private static bool TryFind(SchemaShape schema, string name, out SchemaShape.Column column)
    {
        column = schema.LastOrDefault(c => c.Name == name);
        return column.Name is not null;
    }

    private static void CheckText(SchemaShape schema, string name)
    {
        if (!TryFind(schema, name, out SchemaShape.Column column))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{name}'");
        if (column.ItemType != TextDataViewType.Instance || column.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for input column '{name}': expected String, got {column.ItemType}");
    }

    /// <summary>Fine-tunes on <paramref name="input"/>; see <see cref="Fit(IDataView, CancellationToken)"/>.</summary>
    public EncoderFineTuningTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Fine-tunes on <paramref name="input"/> and returns the ONNX-served model.</summary>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public EncoderFineTuningTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShapeFactory.Create(input.Schema));
        TrainingOptions loopOptions = _options.Training;

        EncoderFineTuningTransformer? start = _options.InitialModel;
        EncoderModel encoder = _options.ResolveEncoder();
        // The tokenizer serving will use too (EncoderFineTuningTransformer builds the same one from the saved settings).
        EncoderTokenizer tokenizer = EncoderTokenizer.Create(encoder, _options.MaxTokens);
        int classCount = Kind == FineTuningKind.Classification ? (int)((KeyDataViewType)input.Schema[_options.LabelColumnName].Type).Count : 1;
        FineTuningRows train = FineTuningData.Read(input, _options, Kind, tokenizer, "training data");
        FineTuningRows? validation = _options.ValidationSet is null ? null : FineTuningData.Read(_options.ValidationSet, _options, Kind, tokenizer, "validation set");

        torch.manual_seed(loopOptions.Seed);
        using SequenceClassifier model = start is null ? NewClassifier(encoder, classCount) : Continued(start, classCount);
        model.FreezeEncoder(_options.FreezeEncoder);
        var task = new FineTuningTask(model, Kind, train, validation, validationMetric: _options.ValidationMetric);

        TrainingResult result = ReportedTraining.Run(_host, nameof(EncoderFineTuningTrainer), "Encoder fine-tuning",
            $"Fine-tuning {encoder.Name} ({Kind}, {classCount} outputs) on {train.Rows.Count} rows{(_options.FreezeEncoder ? " with the encoder frozen" : "")}.",
            loopOptions, task, _options.Progress, cancellationToken);

        // Served by ONNX Runtime: written with its fused attention kernels (same arithmetic, faster on long inputs).
        byte[] exported = OnnxBertWriter.ToBytes(model.Encoder.ToWeights(), model.ExportHead(), OnnxGraphStyle.OnnxRuntimeFused);
        var info = new FineTunedModelInfo
        {
            Kind = Kind,
            ClassCount = classCount,
            ClassNames = Kind == FineTuningKind.Classification ? FineTuningData.KeyNames(input.Schema[_options.LabelColumnName]) : null,
            SentenceColumnName = _options.SentenceColumnName,
            SecondSentenceColumnName = _options.SecondSentenceColumnName,
            ScoreColumnName = _options.ScoreColumnName,
            PredictedLabelColumnName = _options.PredictedLabelColumnName,
            MaxTokens = _options.MaxTokens,
        };
        info.DescribeEncoder(encoder);
        return new EncoderFineTuningTransformer(_host, info, exported, encoder.ReadVocabularyText(), result);
    }

    private SequenceClassifier NewClassifier(EncoderModel encoder, int classCount)
    {
        // A folder's graph is named by the folder (the config's model name may be another model's, e.g. a copied config).
        string source = encoder.Directory ?? encoder.Name;
        BertWeights weights = OnnxBertReader.Read(new MemoryStream(encoder.ReadOnnxBytes(), writable: false), source);
        return new SequenceClassifier(weights.CreateModel(), classCount, _options.Pooling ?? encoder.Config.Pooling);
    }

    private SequenceClassifier Continued(EncoderFineTuningTransformer start, int classCount)
    {
        if (start.Kind != Kind || start.ClassCount != classCount)
            throw new ArgumentException(
                $"InitialModel is a {start.Kind.ToString().ToLowerInvariant()} model with {start.ClassCount} output(s); this trainer trains {Kind.ToString().ToLowerInvariant()} with {classCount}.",
                nameof(EncoderFineTuningOptions.InitialModel));
        (BertWeights weights, OnnxLinearHead head) = FineTunedClassifierGraph.Read(start, "InitialModel");
        return FineTunedClassifierGraph.CreateClassifier(start, weights, head);
    }
}
