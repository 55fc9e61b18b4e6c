using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// The encoder-stack head of a token classifier: reads the graph's per-token <c>logits</c> at the first word piece of
/// each word and serves PredictedLabel (one key per word, with the tag names as KeyValues), Score (the probability of
/// each word's predicted tag) and, when named, an entities column (text vector, one <see cref="EntitySpan"/> per entity
/// as <c>type TAB start TAB end TAB text</c>). A word without a piece (cut by truncation, or normalised to nothing) is
/// tagged <c>O</c>.
/// </summary>
internal sealed class TokenClassificationHead : EncoderHead
{
    private readonly string[] _tags;
    private readonly int _outside;
    private readonly TaggingScheme _scheme;
    private readonly EntityDecoding _decoding;

    public TokenClassificationHead(FineTunedModelInfo info)
    {
        _tags = info.ClassNames ?? throw new InvalidDataException("A token classifier needs its tag names.");
        _outside = Math.Max(0, Array.IndexOf(_tags, EntityTags.Outside));
        _scheme = info.Scheme;
        _decoding = info.Decoding;
        var namesType = new VectorDataViewType(TextDataViewType.Instance, _tags.Length);
        var keyValues = new DataViewSchema.Annotations.Builder();
        keyValues.Add("KeyValues", namesType, (ref VBuffer<ReadOnlyMemory<char>> value) =>
            value = new VBuffer<ReadOnlyMemory<char>>(_tags.Length, _tags.Select(n => n.AsMemory()).ToArray()));
        var columns = new List<EncoderHeadColumn>
        {
            new(info.PredictedLabelColumnName, new VectorDataViewType(new KeyDataViewType(typeof(uint), _tags.Length)), keyValues.ToAnnotations()),
            new(info.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single)),
        };
        if (info.EntitiesColumnName is { } entities)
            columns.Add(new EncoderHeadColumn(entities, new VectorDataViewType(TextDataViewType.Instance)));
        Columns = columns;
    }

    public override bool AlignsWords => true;

    public override bool ReadsHiddenStates => false;

    public override IReadOnlyList<string> GraphOutputs { get; } = [FineTunedHead.LogitsOutput];

    public override IReadOnlyList<EncoderHeadColumn> Columns { get; }

    /// <summary>Per word: the predicted tag index, and its probability.</summary>
    public override int ValuesPerRow => 2;

    public override void Compute(BatchEncoder batch, int batchRow, TokenizedText tokens, float[]?[] values)
    {
        WordAlignment words = tokens.Words ?? throw new InvalidOperationException("The row was not tokenised word by word.");
        int width = batch.ExtraWidth(0);
        ReadOnlySpan<float> logits = batch.Extra(0).Slice(batchRow * batch.Length * width, batch.Length * width);
        int n = words.FirstPieces.Length;
        var tags = new float[n];
        var scores = new float[n];
        for (int w = 0; w < n; w++)
        {
            int piece = words.FirstPieces[w];
            if (piece < 0)
            {
                (tags[w], scores[w]) = (_outside, 1f);
                continue;
            }
            (tags[w], scores[w]) = Best(logits.Slice(piece * width, width));
        }
        values[0] = tags;
        values[1] = scores;
    }

    /// <summary>The most probable class and its softmax probability.</summary>
    private static (int Class, float Probability) Best(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best])
                best = i;
        float sum = 0;
        foreach (float l in logits)
            sum += MathF.Exp(l - logits[best]);
        return (best, 1f / sum);
    }

    /// <summary>The predicted tag names of a row computed by <see cref="Compute"/>.</summary>
    public string[] Tags(EncodedRow row) => row.Values[0]!.Select(t => _tags[(int)t]).ToArray();

    /// <summary>The entities of a row computed by <see cref="Compute"/>.</summary>
    public List<EntitySpan> Entities(EncodedRow row) =>
        EntityTags.Decode(Tags(row), row.Tokens.Words!.Words, _scheme, _decoding);

    public override Delegate CreateGetter(int column, Func<EncodedRow> current) => column switch
    {
        0 => (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> value) =>
        {
            float[] tags = current().Values[0]!;
            var editor = VBufferEditor.Create(ref value, tags.Length);
            for (int w = 0; w < tags.Length; w++)
                editor.Values[w] = (uint)tags[w] + 1;
            value = editor.Commit();
        }),
        1 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => Fill(ref value, current().Values[1])),
        2 => (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
        {
            List<EntitySpan> entities = Entities(current());
            var editor = VBufferEditor.Create(ref value, entities.Count);
            for (int e = 0; e < entities.Count; e++)
                editor.Values[e] = entities[e].ToString().AsMemory();
            value = editor.Commit();
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "Unknown output column."),
    };
}
