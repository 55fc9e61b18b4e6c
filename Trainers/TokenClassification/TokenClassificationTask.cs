using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>
/// Token classification with a <see cref="TokenClassifier"/> for the <see cref="TrainingLoop"/>: cross-entropy on each
/// word's first word piece (the other pieces and the special tokens are ignored), optionally class-weighted; evaluates
/// entity-level F1 (<see cref="NerEvaluator"/>) on a validation set.
/// </summary>
public sealed class TokenClassificationTask : ITrainingTask<FineTuningBatch>
{
    private readonly TokenClassifier _model;
    private readonly TokenClassificationRows _train;
    private readonly TokenClassificationRows? _validation;
    private readonly IReadOnlyList<string> _tags;
    private readonly TaggingScheme _scheme;
    private readonly EntityDecoding _decoding;
    private readonly float[]? _classWeights;
    private readonly int _evaluationBatchSize;

    /// <summary>Creates the task.</summary>
    /// <param name="model">The classifier, with one output per tag.</param>
    /// <param name="tags">Tag names by class index.</param>
    /// <param name="train">Training rows.</param>
    /// <param name="validation">Validation rows: enables evaluation and early stopping on entity F1.</param>
    /// <param name="scheme">Tagging scheme of the tags.</param>
    /// <param name="decoding">How tags become entities for the validation F1.</param>
    /// <param name="classWeights">Loss weight per class index; null for none.</param>
    /// <param name="evaluationBatchSize">Rows per batch when predicting.</param>
    public TokenClassificationTask(TokenClassifier model, IReadOnlyList<string> tags, TokenClassificationRows train, TokenClassificationRows? validation = null,
        TaggingScheme scheme = TaggingScheme.Bio, EntityDecoding decoding = EntityDecoding.Strict, float[]? classWeights = null, int evaluationBatchSize = 64)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _tags = tags ?? throw new ArgumentNullException(nameof(tags));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        if (tags.Count != model.Outputs)
            throw new ArgumentException($"{tags.Count} tag names for a head of {model.Outputs} outputs.", nameof(tags));
        if (classWeights is not null && classWeights.Length != model.Outputs)
            throw new ArgumentException($"{classWeights.Length} class weights for {model.Outputs} tags.", nameof(classWeights));
        _validation = validation;
        _scheme = scheme;
        _decoding = decoding;
        _classWeights = classWeights;
        _evaluationBatchSize = evaluationBatchSize;
    }

    /// <inheritdoc/>
    public nn.Module Module => _model;

    /// <inheritdoc/>
    public int TrainingRowCount => _train.Rows.Count;

    /// <inheritdoc/>
    public IReadOnlyList<int>? TrainingRowLengths => _train.Rows.Select(r => r.Length).ToArray();

    /// <inheritdoc/>
    public string? PrimaryMetric => _validation is null ? null : "f1";

    /// <inheritdoc/>
    public bool HigherIsBetter => true;

    /// <inheritdoc/>
    public FineTuningBatch PrepareBatch(IReadOnlyList<int> rows)
    {
        TokenizedText[] texts = rows.Select(i => _train.Rows[i]).ToArray();
        TokenizedBatch padded = TokenizedBatch.Pad(texts);
        long[] dims = [padded.Rows, padded.Length];
        var targets = new long[padded.Rows * padded.Length];
        Array.Fill(targets, TokenClassificationRows.IgnoredTarget);
        for (int r = 0; r < rows.Count; r++)
            _train.Targets[rows[r]].CopyTo(targets, r * padded.Length);
        return new FineTuningBatch(tensor(padded.InputIds, dims), tensor(padded.AttentionMask, dims), tensor(padded.TokenTypeIds, dims), tensor(targets, dims));
    }

    /// <inheritdoc/>
    public Tensor Loss(FineTuningBatch batch)
    {
        using var scope = NewDisposeScope();
        Tensor logits = _model.forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        Tensor? weight = _classWeights is null ? null : tensor(_classWeights);
        return nn.functional.cross_entropy(logits.reshape(-1, _model.Outputs), batch.Targets.reshape(-1), weight,
            ignore_index: TokenClassificationRows.IgnoredTarget).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken)
    {
        if (_validation is null)
            return new Dictionary<string, double>();
        int[][] predicted = Predict(_validation.Rows, cancellationToken);
        var gold = new List<ConllSentence>();
        var tags = new List<IReadOnlyList<string>>();
        for (int s = 0; s < predicted.Length; s++)
        {
            IReadOnlyList<string> words = _validation.Rows[s].Words!.Words;
            // A word with a missing gold tag is scored as O on both sides.
            int[] goldTags = _validation.WordTags[s];
            gold.Add(new ConllSentence(words, goldTags.Select(t => t < 0 ? EntityTags.Outside : _tags[t]).ToArray()));
            tags.Add(predicted[s].Select((t, w) => goldTags[w] < 0 ? EntityTags.Outside : _tags[t]).ToArray());
        }
        NerResult result = NerEvaluator.Evaluate(gold, tags, _scheme, _decoding);
        return new Dictionary<string, double>
        {
            ["f1"] = result.Micro.F1, ["precision"] = result.Micro.Precision, ["recall"] = result.Micro.Recall, ["surface_f1"] = result.Surface.F1,
        };
    }

    /// <summary>The predicted class index of every word of <paramref name="rows"/> (the <c>O</c> class, or 0, for words without a piece).</summary>
    public int[][] Predict(IReadOnlyList<TokenizedText> rows, CancellationToken cancellationToken = default)
    {
        _model.eval();
        int outside = Math.Max(0, _tags.ToList().IndexOf(EntityTags.Outside));
        var result = new int[rows.Count][];
        using var noGrad = no_grad();
        foreach ((int[] chunk, TokenizedBatch padded) in TokenizedBatch.LengthSorted(rows, _evaluationBatchSize, cancellationToken))
        {
            using var scope = NewDisposeScope();
            long[] dims = [padded.Rows, padded.Length];
            long[] best = _model.forward(tensor(padded.InputIds, dims), tensor(padded.AttentionMask, dims), tensor(padded.TokenTypeIds, dims))
                .argmax(-1).data<long>().ToArray();
            for (int k = 0; k < chunk.Length; k++)
            {
                int[] first = rows[chunk[k]].Words!.FirstPieces;
                result[chunk[k]] = first.Select(p => p < 0 ? outside : (int)best[k * padded.Length + p]).ToArray();
            }
        }
        return result;
    }
}
