using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// The encoder-stack head of a fine-tuned classifier or regressor: reads the graph's <c>logits</c> and serves Score
/// (class probabilities, the softmax of the logits, or the regression value) and, for classification, PredictedLabel
/// (1-based key of the most probable class). Class names travel as ML.NET's own multiclass trainers carry them:
/// SlotNames on Score, KeyValues on PredictedLabel.
/// </summary>
internal sealed class FineTunedHead : EncoderHead
{
    public const string LogitsOutput = "logits";

    private readonly FineTuningKind _kind;

    public FineTunedHead(FineTunedModelInfo info)
    {
        _kind = info.Kind;
        if (info.Kind == FineTuningKind.Regression)
        {
            Columns = [new EncoderHeadColumn(info.ScoreColumnName, NumberDataViewType.Single)];
            return;
        }
        DataViewSchema.Annotations? scoreAnnotations = null, keyAnnotations = null;
        if (info.ClassNames is { } names)
        {
            var namesType = new VectorDataViewType(TextDataViewType.Instance, names.Length);
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> value) =>
                value = new VBuffer<ReadOnlyMemory<char>>(names.Length, names.Select(n => n.AsMemory()).ToArray());
            var score = new DataViewSchema.Annotations.Builder();
            score.Add("SlotNames", namesType, getNames);
            var key = new DataViewSchema.Annotations.Builder();
            key.Add("KeyValues", namesType, getNames);
            (scoreAnnotations, keyAnnotations) = (score.ToAnnotations(), key.ToAnnotations());
        }
        Columns =
        [
            new EncoderHeadColumn(info.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, info.ClassCount), scoreAnnotations),
            new EncoderHeadColumn(info.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), info.ClassCount), keyAnnotations),
        ];
    }

    public override bool ReadsHiddenStates => false;

    public override IReadOnlyList<string> GraphOutputs { get; } = [LogitsOutput];

    public override IReadOnlyList<EncoderHeadColumn> Columns { get; }

    /// <summary>The probabilities (classification) or the value (regression).</summary>
    public override int ValuesPerRow => 1;

    public override void Compute(BatchEncoder batch, int batchRow, TokenizedText tokens, float[]?[] values)
    {
        int width = batch.ExtraWidth(0);
        ReadOnlySpan<float> logits = batch.Extra(0).Slice(batchRow * width, width);
        float[] row = values[0] is { } existing && existing.Length == width ? existing : new float[width];
        if (_kind == FineTuningKind.Classification)
            Softmax(logits, row);
        else
            logits.CopyTo(row);
        values[0] = row;
    }

    public override Delegate CreateGetter(int column, Func<EncodedRow> current) => (column, _kind) switch
    {
        (0, FineTuningKind.Regression) => (ValueGetter<float>)((ref float value) => value = current().Values[0]![0]),
        (0, _) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => Fill(ref value, current().Values[0])),
        _ => (ValueGetter<uint>)((ref uint value) => value = (uint)FineTuningTask.ArgMax(current().Values[0]!) + 1),
    };

    private static void Softmax(ReadOnlySpan<float> logits, Span<float> destination)
    {
        float max = float.NegativeInfinity;
        foreach (float l in logits)
            max = Math.Max(max, l);
        float sum = 0;
        for (int i = 0; i < logits.Length; i++)
            sum += destination[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++)
            destination[i] /= sum;
    }
}
