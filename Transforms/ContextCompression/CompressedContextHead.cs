using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Transforms;

/// <summary>
/// <c>CompressContext</c>'s head: the last layer's token vectors of the text's word pieces (<c>[CLS]</c> and
/// <c>[SEP]</c> left out) compressed by <see cref="ContextPooling"/>, or by a <see cref="LearnedContextCompressor"/>, into
/// K vectors, served flat (K x dimension) with K in a second column.
/// </summary>
internal sealed class CompressedContextHead : EncoderHead
{
    private readonly CompressContextSettings _settings;
    private readonly int _hidden;
    private readonly int _dimension;
    private readonly LearnedContextCompressor? _compressor;

    /// <param name="settings">The transform's settings.</param>
    /// <param name="hidden">The encoder's hidden size.</param>
    /// <param name="compressor">The learned method's compressor (owned by the transformer), or null.</param>
    public CompressedContextHead(CompressContextSettings settings, int hidden, LearnedContextCompressor? compressor)
    {
        _settings = settings;
        _hidden = hidden;
        _compressor = compressor;
        _dimension = compressor?.Dimension ?? hidden;
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
        if (_compressor is not null)
        {
            ReadOnlySpan<float> all = batch.HiddenStates.Slice(batchRow * batch.Length * _hidden, tokens.Length * _hidden);
            values[0] = _compressor.Compress(all, _settings.Ratio, _settings.VectorCount, _settings.Normalize);
            return;
        }
        int content = tokens.Length - 2;
        ReadOnlySpan<float> states = batch.HiddenStates.Slice((batchRow * batch.Length + 1) * _hidden, content * _hidden);
        values[0] = ContextPooling.Compress(states, _hidden, _settings.Method, _settings.Ratio, _settings.VectorCount, _settings.Normalize);
    }

    /// <summary>The learned method compresses the whole batch in one run of its graph; the parameter-free ones go row by row.</summary>
    public override void ComputeBatch(BatchEncoder batch, IReadOnlyList<TokenizedText> rows, IReadOnlyList<float[]?[]> values)
    {
        if (_compressor is null)
        {
            base.ComputeBatch(batch, rows, values);
            return;
        }
        float[][] vectors = _compressor.CompressPadded(batch.HiddenStates, rows.Select(r => r.Length).ToArray(), batch.Length, _settings.Ratio,
            _settings.VectorCount, _settings.Normalize);
        for (int k = 0; k < rows.Count; k++)
            values[k][0] = vectors[k];
    }

    public override Delegate CreateGetter(int column, Func<EncodedRow> current) => column switch
    {
        0 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => Fill(ref value, current().Values[0])),
        1 => (ValueGetter<int>)((ref int value) => value = current().Values[0]!.Length / _dimension),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "Unknown output column."),
    };
}
