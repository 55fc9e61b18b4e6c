using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Evaluation.Embeddings;

/// <summary>
/// Streams texts through any ML.NET <see cref="ITransformer"/> that maps a text column to an embedding column
/// (a vector of <see cref="float"/>), one pass, one cursor: rows are handed to a callback as they come, so a
/// caller that does not keep them uses memory independent of the number of texts.
/// </summary>
public sealed class TransformerEmbedder : ITextEmbedder
{
    private readonly MLContext _mlContext;
    private readonly ITransformer _transformer;

    /// <summary>Wraps a fitted transformer.</summary>
    /// <param name="mlContext">The context used to build the input view.</param>
    /// <param name="transformer">The encoder (ours or anybody's), already fitted.</param>
    /// <param name="inputColumnName">The text column the transformer reads.</param>
    /// <param name="outputColumnName">The embedding column it writes (vector of Single).</param>
    public TransformerEmbedder(MLContext mlContext, ITransformer transformer, string inputColumnName = "Text", string outputColumnName = "Embedding")
    {
        _mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _transformer = transformer ?? throw new ArgumentNullException(nameof(transformer));
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        InputColumnName = inputColumnName;
        OutputColumnName = outputColumnName;
    }

    /// <summary>The text column the transformer reads.</summary>
    public string InputColumnName { get; }

    /// <summary>The embedding column the transformer writes.</summary>
    public string OutputColumnName { get; }

    /// <summary>How often (in rows) progress is reported; 64 by default.</summary>
    public int ProgressInterval { get; init; } = 64;

    /// <summary>
    /// Encodes the texts in order and calls <paramref name="onEmbedding"/> with each row's index and embedding. The span
    /// is reused for the next row: copy it to keep it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The transformer does not produce a Single vector column of that name,
    /// or produces a different number of rows.</exception>
    public void Embed(IReadOnlyList<string> texts, EmbeddingSink onEmbedding, string stage = "texts",
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(onEmbedding);
        progress?.Report(new EncodingProgress(stage, 0, texts.Count));
        if (texts.Count == 0)
            return;

        var definition = SchemaDefinition.Create(typeof(TextRow));
        definition[0].ColumnName = InputColumnName;
        var input = _mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t ?? "" }), definition);
        var output = _transformer.Transform(input);
        var column = output.Schema.GetColumnOrNull(OutputColumnName)
            ?? throw new InvalidOperationException($"Could not find output column '{OutputColumnName}'; the transformer produced: {string.Join(", ", output.Schema.Select(c => c.Name))}.");
        if (column.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
            throw new InvalidOperationException($"Schema mismatch for output column '{OutputColumnName}': expected vector of Single, got {column.Type}.");

        using var cursor = output.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        float[] dense = [];
        int row = 0;
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (row >= texts.Count)
                throw new InvalidOperationException($"The transformer produced more rows than the {texts.Count} texts given.");
            getter(ref buffer);
            if (dense.Length != buffer.Length)
                dense = new float[buffer.Length];
            buffer.CopyTo(dense);
            onEmbedding(row, dense);
            row++;
            if (progress is not null && (row % ProgressInterval == 0 || row == texts.Count))
                progress.Report(new EncodingProgress(stage, row, texts.Count));
        }
        if (row != texts.Count)
            throw new InvalidOperationException($"The transformer produced {row} rows for {texts.Count} texts.");
    }

    /// <summary>Encodes the texts and keeps every embedding (for query sets and sentence lists, not for large corpora).</summary>
    public float[][] EmbedAll(IReadOnlyList<string> texts, string stage = "texts",
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
        => TextEmbedderExtensions.EmbedAll(this, texts, stage, progress, cancellationToken);

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}

/// <summary>Receives one embedding: the row index and a span that is only valid during the call.</summary>
public delegate void EmbeddingSink(int index, ReadOnlySpan<float> embedding);
