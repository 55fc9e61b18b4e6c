using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Transforms;

/// <summary>
/// <c>CompressContext</c>'s head: the last layer's token vectors of the text's word pieces (<c>[CLS]</c> and
/// <c>[SEP]</c> left out) compressed by <see cref="ContextPooling"/> into K vectors, served flat (K x hidden) with K
/// in a second column.
/// </summary>
internal sealed class CompressedContextHead : EncoderHead
{
    private readonly CompressContextSettings _settings;
    private readonly int _hidden;

    public CompressedContextHead(CompressContextSettings settings, int hidden)
    {
        _settings = settings;
        _hidden = hidden;
        Columns = Outputs(settings).Select(o => new EncoderHeadColumn(o.Name, o.Type)).ToArray();
    }

    public override bool ReadsHiddenStates => true;

    public override IReadOnlyList<EncoderHeadColumn> Columns { get; }

    public override int ValuesPerRow => 1;

    /// <summary>Output columns in schema order: the vectors, then K.</summary>
    public static IEnumerable<(string Name, DataViewType Type)> Outputs(CompressContextSettings settings)
    {
        yield return (settings.OutputColumn, new VectorDataViewType(NumberDataViewType.Single));
        yield return (settings.CountColumn, NumberDataViewType.Int32);
    }

    public override void Check(TokenizedText tokens, long row)
    {
        if (tokens.Length <= 2)
        {
            throw new InvalidOperationException(
                $"Row {row} of column '{_settings.InputColumn}' has no word pieces (empty or blank text); CompressContext needs at least one token to compress.");
        }
        if (tokens.Truncated && !_settings.TruncateLongText)
        {
            throw new InvalidOperationException(
                $"Row {row} of column '{_settings.InputColumn}' is longer than MaxTokens ({_settings.MaxTokens} word pieces, [CLS] and [SEP] included); " +
                "split the text, raise MaxTokens up to the model's limit, or set CompressContextOptions.TruncateLongText to cut it.");
        }
    }

    public override void Compute(BatchEncoder batch, int batchRow, TokenizedText tokens, float[]?[] values)
    {
        int content = tokens.Length - 2;
        ReadOnlySpan<float> states = batch.HiddenStates.Slice((batchRow * batch.Length + 1) * _hidden, content * _hidden);
        values[0] = ContextPooling.Compress(states, _hidden, _settings.Method, _settings.Ratio, _settings.VectorCount, _settings.Normalize);
    }

    public override Delegate CreateGetter(int column, Func<EncodedRow> current) => column switch
    {
        0 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => Fill(ref value, current().Values[0])),
        1 => (ValueGetter<int>)((ref int value) => value = current().Values[0]!.Length / _hidden),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "Unknown output column."),
    };
}
