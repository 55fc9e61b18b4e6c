using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.Schema;
using TorchSharp;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>
/// Fine-tunes a BERT-family encoder (all-MiniLM-L6-v2 by default) with a linear head on every token to tag each word of
/// a sentence (named entities in BIO or BIOES tags). The loss reads each word's first word piece only. Trains with
/// TorchSharp, then exports encoder and head to one ONNX graph that the fitted <see cref="EncoderFineTuningTransformer"/>
/// (kind <see cref="FineTuningKind.TokenClassification"/>) serves with ONNX Runtime.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>Sentence (Text; words are separated by whitespace), Label (vector of
/// keys with tag names, one per word).</description></item>
/// <item><term>Output columns</term><description>PredictedLabel (vector of keys, one per word), Score (vector of Single:
/// each word's tag probability), Entities (vector of Text, one <see cref="EntitySpan"/> each).</description></item>
/// <item><term>Needs training</term><description>Yes.</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes (<see cref="EncoderFineTuningTransformer.ExportOnnx"/>: per-token <c>logits</c>).</description></item>
/// </list>
/// Created by <c>mlContext.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(...)</c>; see
/// <c>Samples/NamedEntityRecognitionSample.cs</c>.
/// </remarks>
public sealed class EncoderTokenClassificationTrainer : IEstimator<EncoderFineTuningTransformer>
{
    private readonly IHostEnvironment _host;
    private readonly EncoderTokenClassificationOptions _options;

    internal EncoderTokenClassificationTrainer(IHostEnvironment host, EncoderTokenClassificationOptions options)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SchemaShape.Column sentence = inputSchema.LastOrDefault(c => c.Name == _options.SentenceColumnName);
        if (sentence.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find input column '{_options.SentenceColumnName}'");
        if (sentence.ItemType != TextDataViewType.Instance || sentence.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for input column '{_options.SentenceColumnName}': expected String, got {sentence.ItemType}");
        SchemaShape.Column label = inputSchema.LastOrDefault(c => c.Name == _options.LabelColumnName);
        if (label.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find input column '{_options.LabelColumnName}'");
        if (!label.IsKey || label.Kind == SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Schema mismatch for input column '{_options.LabelColumnName}': expected vector of Key, got {(label.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : "vector of ")}{label.ItemType}");
        if (label.Annotations?.Any(c => c.Name == "KeyValues" && c.ItemType is TextDataViewType) != true)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Input column '{_options.LabelColumnName}' has no tag names (KeyValues annotation); map the tag strings with MapValueToKey.");

        SchemaShape Names() => new([SchemaShapeFactory.Column("KeyValues", SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance)]);
        var columns = new List<SchemaShape.Column>
        {
            SchemaShapeFactory.Column(_options.PredictedLabelColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.UInt32, isKey: true, annotations: Names()),
            SchemaShapeFactory.Column(_options.ScoreColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single),
        };
        if (_options.EntitiesColumnName is { } entities)
            columns.Add(SchemaShapeFactory.Column(entities, SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance));
        return SchemaShapeFactory.With(inputSchema, [.. columns]);
    }

    /// <summary>Fine-tunes on <paramref name="input"/>; see <see cref="Fit(IDataView, CancellationToken)"/>.</summary>
    public EncoderFineTuningTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Fine-tunes on <paramref name="input"/> and returns the ONNX-served model.</summary>
    /// <exception cref="ArgumentException">A tag name is not a tag of the scheme, a class weight names an unknown tag, or a row's word and tag counts differ.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public EncoderFineTuningTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShapeFactory.Create(input.Schema));
        DataViewSchema.Column labelColumn = input.Schema[_options.LabelColumnName];
        string[] tags = FineTuningData.KeyNames(labelColumn)!;
        foreach (string tag in tags)
        {
            if (!EntityTags.TryParse(tag, _options.Scheme, out _, out _))
                throw new ArgumentException($"Tag '{tag}' of column '{_options.LabelColumnName}' is not a {_options.Scheme} tag: expected {EntityTags.Describe(_options.Scheme)}.", nameof(input));
        }
        float[]? weights = ClassWeights(tags);

        EncoderModel encoder = _options.ResolveEncoder();
        EncoderTokenizer tokenizer = EncoderTokenizer.Create(encoder, _options.MaxTokens);
        TokenClassificationRows train = TokenClassificationData.Read(input, _options, tokenizer, "training data");
        TokenClassificationRows? validation = _options.ValidationSet is null ? null
            : TokenClassificationData.Read(_options.ValidationSet, _options, tokenizer, "validation set");

        torch.manual_seed(_options.Training.Seed);
        string source = encoder.Directory ?? encoder.Name;
        BertWeights bertWeights = OnnxBertReader.Read(new MemoryStream(encoder.ReadOnnxBytes(), writable: false), source);
        using var model = new TokenClassifier(bertWeights.CreateModel(), tags.Length);
        model.FreezeEncoder(_options.FreezeEncoder);
        var task = new TokenClassificationTask(model, tags, train, validation, _options.Scheme, _options.Decoding, weights);

        TrainingResult result = ReportedTraining.Run(_host, nameof(EncoderTokenClassificationTrainer), "Token classification fine-tuning",
            $"Fine-tuning {encoder.Name} for token classification ({tags.Length} tags) on {train.Rows.Count} sentences" +
            $"{(_options.FreezeEncoder ? " with the encoder frozen" : "")}; {train.TruncatedRows} sentences longer than {_options.MaxTokens} tokens, " +
            $"{train.DroppedWords} words dropped.",
            _options.Training, task, _options.Progress, cancellationToken);

        byte[] exported = OnnxBertWriter.ToBytes(model.Encoder.ToWeights(), model.ExportHead(), OnnxGraphStyle.OnnxRuntimeFused);
        var info = new FineTunedModelInfo
        {
            Kind = FineTuningKind.TokenClassification,
            ClassCount = tags.Length,
            ClassNames = tags,
            SentenceColumnName = _options.SentenceColumnName,
            ScoreColumnName = _options.ScoreColumnName,
            PredictedLabelColumnName = _options.PredictedLabelColumnName,
            EntitiesColumnName = _options.EntitiesColumnName,
            Scheme = _options.Scheme,
            Decoding = _options.Decoding,
            MaxTokens = _options.MaxTokens,
        };
        info.DescribeEncoder(encoder);
        return new EncoderFineTuningTransformer(_host, info, exported, encoder.ReadVocabularyText(), result);
    }

    private float[]? ClassWeights(string[] tags)
    {
        if (_options.ClassWeights is not { } given)
            return null;
        var weights = Enumerable.Repeat(1f, tags.Length).ToArray();
        foreach ((string tag, float weight) in given)
        {
            int index = Array.IndexOf(tags, tag);
            if (index < 0)
                throw new ArgumentException($"Class weight for tag '{tag}', which is not a tag of column '{_options.LabelColumnName}' ({string.Join(", ", tags)}).", nameof(EncoderTokenClassificationOptions.ClassWeights));
            weights[index] = weight;
        }
        return weights;
    }
}
