using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetExt.Transforms.Onnx;

namespace MLNetExt.Transforms;

/// <summary>
/// The one inference stack behind every encoder transformer: tokenizer, checked ONNX Runtime session, head, and the
/// lazy batched view and row mapper that serve the head's columns. A transformer owns one and forwards
/// <c>Transform</c>, <c>GetRowToRowMapper</c> and <c>Dispose</c> to it. See <see cref="EncoderHead"/> for how a component plugs in.
/// </summary>
internal sealed class EncoderServing : IDisposable
{
    private long _rows;
    private long _truncatedRows;

    /// <summary>Opens the session of <paramref name="model"/> for <paramref name="head"/>.</summary>
    /// <exception cref="InvalidDataException">The ONNX file is corrupt, is not an encoder graph, or lacks an output the head reads.</exception>
    public EncoderServing(IHostEnvironment environment, EncoderModel model, EncoderTokenizer tokenizer, EncoderServingSettings settings, EncoderHead head)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Host = environment.Register(settings.Runtime.Component);
        Model = model;
        Tokenizer = tokenizer;
        Settings = settings;
        Head = head;
        using IChannel channel = Host.Start(settings.Runtime.Component);
        EncoderModel graph = model;
        if (settings.FuseGraph)
            (graph, IsGraphFused) = FusedGraphCache.Get(model, channel);
        Session = EncoderSession.Open(graph, settings.Runtime, environment, channel, head.GraphOutputs);
    }

    public IHost Host { get; }

    /// <summary>The model as given (what a saved pipeline stores).</summary>
    public EncoderModel Model { get; }

    /// <summary>Whether the session runs the fused graph of <see cref="Model"/> (see <see cref="EncoderServingSettings.FuseGraph"/>).</summary>
    public bool IsGraphFused { get; }

    public EncoderTokenizer Tokenizer { get; }

    public EncoderServingSettings Settings { get; }

    public EncoderHead Head { get; }

    public EncoderSession Session { get; }

    /// <summary>Rows encoded so far by all cursors.</summary>
    public long EncodedRowCount => Interlocked.Read(ref _rows);

    /// <summary>Rows so far whose text was longer than the tokenizer's maximum and was cut.</summary>
    public long TruncatedRowCount => Interlocked.Read(ref _truncatedRows);

    /// <summary>
    /// The one tokenisation of a served row: a pair, the text word by word when the head aligns words
    /// (<see cref="EncoderHead.AlignsWords"/>), or the text.
    /// </summary>
    public TokenizedText Tokenize(ReadOnlySpan<char> text, ReadOnlySpan<char> pair, bool hasPair) =>
        hasPair ? Tokenizer.Tokenize(text, pair)
        : Head.AlignsWords ? Tokenizer.AlignWords(text)
        : Tokenizer.Tokenize(text);

    /// <summary>Input schema plus the head's columns; checks the text columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or is not text.</exception>
    public EncoderBindings Bind(DataViewSchema input) =>
        EncoderBindings.Create(input, Settings.InputColumn, Settings.PairColumn, Head.Columns);

    /// <summary>A lazy, batched view of <paramref name="input"/> with the head's columns added.</summary>
    public IDataView Transform(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        Session.ThrowIfDisposed();
        return new EncodedDataView(this, input, Bind(input.Schema), cancellationToken);
    }

    /// <summary>A one-row-at-a-time mapper (what <c>PredictionEngine</c> uses).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Session.ThrowIfDisposed();
        return new EncodedRowMapper(this, Bind(inputSchema));
    }

    /// <summary>
    /// Encodes texts (and pairs) in length-sorted batches outside a data view and returns each row's values, in order.
    /// </summary>
    public EncodedRow[] Encode(IReadOnlyList<string> texts, IReadOnlyList<string>? pairs, CancellationToken cancellationToken)
    {
        Session.ThrowIfDisposed();
        var result = new EncodedRow[texts.Count];
        using var encoder = new WindowEncoder(this);
        int window = Settings.SortWindow;
        for (int start = 0; start < texts.Count; start += window)
        {
            int count = Math.Min(window, texts.Count - start);
            var slice = new ReadOnlyMemory<char>[count];
            var pairSlice = pairs is null ? null : new ReadOnlyMemory<char>[count];
            for (int i = 0; i < count; i++)
            {
                slice[i] = (texts[start + i] ?? "").AsMemory();
                if (pairSlice is not null)
                    pairSlice[i] = (pairs![start + i] ?? "").AsMemory();
            }
            var encoded = new EncodedWindow();
            encoder.Encode(slice, pairSlice, start, encoded, cancellationToken);
            for (int i = 0; i < count; i++)
                result[start + i] = encoded.Row(i);
        }
        return result;
    }

    public void CountRows(int rows, int truncated)
    {
        Interlocked.Add(ref _rows, rows);
        Interlocked.Add(ref _truncatedRows, truncated);
    }

    /// <summary>Releases the ONNX Runtime session; later use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => Session.Dispose();
}

/// <summary>What the encoder stack needs besides the model, tokenizer and head.</summary>
/// <param name="InputColumn">The text column.</param>
/// <param name="PairColumn">The optional second text column of pairs.</param>
/// <param name="BatchSize">Rows per ONNX Runtime call.</param>
/// <param name="SortWindow">Rows read ahead and sorted by length before they are cut into batches.</param>
/// <param name="Runtime">Component name, execution provider, threads, graph optimisation.</param>
/// <param name="FuseGraph">Run a recognised BERT graph with ONNX Runtime's fused kernels (the reason is logged when it cannot be).</param>
internal sealed record EncoderServingSettings(string InputColumn, string? PairColumn, int BatchSize, int SortWindow, EncoderRuntimeSettings Runtime,
    bool FuseGraph);
