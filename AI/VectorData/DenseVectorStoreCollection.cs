using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace MLNetExt.AI;

/// <summary>
/// A Microsoft.Extensions.VectorData collection held in memory, with exact dense search (cosine, dot product or
/// Euclidean) and an optional snapshot file written atomically. Records are plain classes marked with
/// <see cref="VectorStoreKeyAttribute"/>, <see cref="VectorStoreDataAttribute"/> and one
/// <see cref="VectorStoreVectorAttribute"/>; a string vector property is embedded by the collection's
/// <see cref="DenseVectorStoreCollectionOptions.EmbeddingGenerator"/> (e.g. an <see cref="EncoderEmbeddingGenerator"/>).
/// </summary>
/// <remarks>
/// <para>Search is exact: every vector is scored (no approximate index), so results equal a brute-force ranking; ties
/// are broken by key, the larger first. Filters are any C# predicate over the record (<c>r =&gt; r.Year &gt; 2010</c>),
/// evaluated in memory.</para>
/// <para>Records are stored as copies (through System.Text.Json, so their properties must round-trip through it):
/// changing a record after upserting it does not change the collection, and every read returns a new object.</para>
/// <para>Not supported, each failing with <see cref="NotSupportedException"/> that says so: several vector properties
/// per record, index kinds other than <see cref="IndexKind.Flat"/>, distance functions other than cosine
/// similarity/distance, dot product similarity and Euclidean distance, a <c>VectorStoreCollectionDefinition</c> in
/// place of attributes, and hybrid (keyword) search.</para>
/// <para>Thread-safe: reads and writes may come from any number of threads. Sample: <c>Samples/VectorStoreSample.cs</c>.</para>
/// </remarks>
/// <typeparam name="TKey">The key type (string, int, long, Guid...).</typeparam>
/// <typeparam name="TRecord">The record class.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix",
    Justification = "Named after the abstraction it implements, VectorStoreCollection, as every VectorData connector is.")]
public sealed partial class DenseVectorStoreCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>
    where TKey : notnull
    where TRecord : class
{
    /// <summary>The system name in <see cref="VectorStoreCollectionMetadata"/> and errors.</summary>
    public const string SystemName = "mlnetext-dense";

    private readonly VectorRecordModel<TKey, TRecord> _model;
    private readonly DenseVectorIndex<TKey> _index;
    private readonly Dictionary<TKey, StoredRecord> _records = [];
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _generator;
    private readonly JsonSerializerOptions _json;
    private readonly Lock _lock = new();
    private bool _exists;

    /// <summary>Creates the collection object; the collection itself exists once <see cref="EnsureCollectionExistsAsync"/> ran or a snapshot was read.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="options">Embedding generator and snapshot file; none when null.</param>
    /// <exception cref="NotSupportedException">The record type declares something this collection cannot serve (the message says what).</exception>
    /// <exception cref="InvalidDataException">The snapshot file exists but is not a snapshot of this collection's records.</exception>
    public DenseVectorStoreCollection(string name, DenseVectorStoreCollectionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _model = VectorRecordModel<TKey, TRecord>.Create();
        if (_model.IndexKind is not null && _model.IndexKind != IndexKind.Flat)
            throw new NotSupportedException(
                $"Index kind '{_model.IndexKind}' on {typeof(TRecord).Name}.{_model.Vector.Name} is not supported: this collection searches exactly (IndexKind.Flat).");
        _index = new DenseVectorIndex<TKey>(_model.Dimensions, _model.DistanceFunction);
        _generator = options?.EmbeddingGenerator;
        if (_model.VectorIsText && _generator is null)
            throw new NotSupportedException(
                $"The vector property {typeof(TRecord).Name}.{_model.Vector.Name} is text: give the collection an embedding generator " +
                "(DenseVectorStoreCollectionOptions.EmbeddingGenerator) to embed it.");
        SnapshotPath = options?.SnapshotPath;
        _json = StorageOptions(_model.VectorIsText ? null : _model.Vector);
        if (SnapshotPath is not null && File.Exists(SnapshotPath))
            ReadSnapshot(SnapshotPath);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The snapshot file, or null.</summary>
    public string? SnapshotPath { get; }

    /// <summary>Records held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _records.Count;
        }
    }

    /// <inheritdoc/>
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_exists);
    }

    /// <inheritdoc/>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
            _exists = true;
        return Task.CompletedTask;
    }

    /// <summary>Drops every record; the collection no longer exists, and its snapshot file (if any) is deleted.</summary>
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _records.Clear();
            _index.Clear();
            _exists = false;
            if (SnapshotPath is not null)
                File.Delete(SnapshotPath);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            ThrowIfMissing("Get");
            return Task.FromResult(_records.TryGetValue(key, out StoredRecord? stored) ? Materialize(stored, options?.IncludeVectors ?? false) : null);
        }
    }

    /// <summary>
    /// Records matching <paramref name="filter"/>, ordered by <see cref="FilteredRecordRetrievalOptions{TRecord}.OrderBy"/>
    /// (otherwise in no particular order), after <see cref="FilteredRecordRetrievalOptions{TRecord}.Skip"/>, at most <paramref name="top"/>.
    /// </summary>
    public override async IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top,
        FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        Func<TRecord, bool> predicate = filter.Compile();
        List<TRecord> page;
        lock (_lock)
        {
            ThrowIfMissing("Get");
            IEnumerable<StoredRecord> matches = _records.Values.Where(r => predicate(r.View));
            var orderBy = options.OrderBy?.Invoke(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition());
            if (orderBy is { Values.Count: > 0 })
                matches = Order(matches, orderBy.Values);
            page = matches.Skip(options.Skip).Take(top).Select(r => Materialize(r, options.IncludeVectors)).ToList();
        }
        foreach (TRecord record in page)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            ThrowIfMissing("Delete");
            if (_records.Remove(key))
                _index.Remove(key);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <summary>
    /// Inserts or replaces records. Text vectors are embedded in one call to the generator; all records are checked
    /// before any is stored, so a bad record leaves the collection unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">A record has no vector, a vector of the wrong length, or a null key (the message names it).</exception>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        TRecord[] batch = records.ToArray();
        lock (_lock)
            ThrowIfMissing("Upsert");
        var keys = new TKey[batch.Length];
        var vectors = new float[batch.Length][];
        for (int i = 0; i < batch.Length; i++)
        {
            TRecord record = batch[i] ?? throw new ArgumentException($"records[{i}] is null.", nameof(records));
            if (_model.AutoGeneratedKey && EqualityComparer<TKey>.Default.Equals(_model.GetKey(record), default!))
                _model.Key.SetValue(record, Guid.NewGuid());
            keys[i] = _model.GetKey(record) ?? throw new ArgumentException($"records[{i}] has a null key ({_model.Key.Name}).", nameof(records));
            if (!_model.VectorIsText)
                vectors[i] = _model.GetVector(record)?.ToArray()
                    ?? throw new ArgumentException($"Record '{keys[i]}' has no vector in {_model.Vector.Name}.", nameof(records));
        }
        if (_model.VectorIsText && batch.Length > 0)
        {
            string[] texts = batch.Select(r => (string?)_model.Vector.GetValue(r) ?? "").ToArray();
            GeneratedEmbeddings<Embedding<float>> embeddings = await _generator!.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < batch.Length; i++)
                vectors[i] = embeddings[i].Vector.ToArray();
        }
        for (int i = 0; i < batch.Length; i++)
        {
            if (vectors[i].Length != _index.Dimensions)
                throw new ArgumentException(
                    $"Record '{keys[i]}' has a vector of {vectors[i].Length} dimensions; {typeof(TRecord).Name}.{_model.Vector.Name} declares {_index.Dimensions}.",
                    nameof(records));
        }
        var stored = batch.Select((r, i) => Store(r, vectors[i])).ToArray();
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ThrowIfMissing("Upsert");
            for (int i = 0; i < batch.Length; i++)
            {
                _index.Upsert(keys[i], vectors[i]);
                _records[keys[i]] = stored[i];
            }
        }
    }

    /// <summary>
    /// The <paramref name="top"/> records nearest to <paramref name="searchValue"/>: a string (embedded by the
    /// collection's generator), <see cref="ReadOnlyMemory{T}"/> of float, float[] or <see cref="Embedding{T}"/> of float.
    /// Scores are the distance function's: similarities best-first from high to low, distances from low to high.
    /// </summary>
    /// <exception cref="NotSupportedException">The search value's type is not one of those, or a string comes without a generator.</exception>
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        options ??= new VectorSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        CheckVectorProperty(options.VectorProperty);
        ReadOnlyMemory<float> query = await QueryVectorAsync(searchValue, cancellationToken).ConfigureAwait(false);
        Func<TRecord, bool>? predicate = options.Filter?.Compile();
        List<VectorSearchResult<TRecord>> results;
        lock (_lock)
        {
            ThrowIfMissing("Search");
            Func<TKey, bool>? accept = predicate is null ? null : key => predicate(_records[key].View);
            results = _index.Search(query.Span, top + options.Skip, accept, options.ScoreThreshold)
                .Skip(options.Skip)
                .Select(hit => new VectorSearchResult<TRecord>(Materialize(_records[hit.Key], options.IncludeVectors), hit.Score))
                .ToList();
        }
        foreach (VectorSearchResult<TRecord> result in results)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return result;
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        if (serviceType == typeof(VectorStoreCollectionMetadata))
            return new VectorStoreCollectionMetadata { VectorStoreSystemName = SystemName, CollectionName = Name };
        if (serviceType.IsInstanceOfType(this))
            return this;
        if (_generator is not null && serviceType.IsInstanceOfType(_generator))
            return _generator;
        return null;
    }

    private sealed record StoredRecord(byte[] Json, TRecord View, float[] Vector);

    private StoredRecord Store(TRecord record, float[] vector)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(record, _json);
        return new StoredRecord(json, JsonSerializer.Deserialize<TRecord>(json, _json)!, vector);
    }

    private TRecord Materialize(StoredRecord stored, bool includeVector)
    {
        TRecord record = JsonSerializer.Deserialize<TRecord>(stored.Json, _json)!;
        _model.SetVector(record, includeVector ? (float[])stored.Vector.Clone() : null);
        return record;
    }

    private async Task<ReadOnlyMemory<float>> QueryVectorAsync<TInput>(TInput searchValue, CancellationToken cancellationToken)
    {
        switch (searchValue)
        {
            case ReadOnlyMemory<float> memory:
                return memory;
            case float[] array:
                return array;
            case Embedding<float> embedding:
                return embedding.Vector;
            case string text when _generator is not null:
                GeneratedEmbeddings<Embedding<float>> embeddings = await _generator.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false);
                return embeddings[0].Vector;
            case string:
                throw new NotSupportedException("Searching by text needs an embedding generator (DenseVectorStoreCollectionOptions.EmbeddingGenerator).");
            default:
                throw new NotSupportedException(
                    $"Search values of type {typeof(TInput).Name} are not supported; pass a string, ReadOnlyMemory<float>, float[] or Embedding<float>.");
        }
    }

    private void CheckVectorProperty(Expression<Func<TRecord, object?>>? selector)
    {
        if (selector is null)
            return;
        Expression body = selector.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : selector.Body;
        if (body is not MemberExpression { Member: PropertyInfo property } || property.Name != _model.Vector.Name)
            throw new NotSupportedException(
                $"VectorProperty {selector} is not {typeof(TRecord).Name}.{_model.Vector.Name}, the one vector property of this collection.");
    }

    private static IOrderedEnumerable<StoredRecord> Order(IEnumerable<StoredRecord> records,
        IReadOnlyList<FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition.SortInfo> sorts)
    {
        IOrderedEnumerable<StoredRecord>? ordered = null;
        foreach (var sort in sorts)
        {
            Func<TRecord, object?> key = sort.PropertySelector.Compile();
            ordered = (ordered, sort.Ascending) switch
            {
                (null, true) => records.OrderBy(r => key(r.View), Comparer<object?>.Default),
                (null, false) => records.OrderByDescending(r => key(r.View), Comparer<object?>.Default),
                (_, true) => ordered.ThenBy(r => key(r.View), Comparer<object?>.Default),
                (_, false) => ordered.ThenByDescending(r => key(r.View), Comparer<object?>.Default),
            };
        }
        return ordered!;
    }

    private void ThrowIfMissing(string operation)
    {
        if (!_exists)
        {
            throw new VectorStoreException($"The collection '{Name}' does not exist; call EnsureCollectionExistsAsync first.")
            {
                VectorStoreSystemName = SystemName,
                CollectionName = Name,
                OperationName = operation,
            };
        }
    }

    // Records are kept as JSON without their (non-text) vector, which the index holds.
    private static JsonSerializerOptions StorageOptions(PropertyInfo? vectorProperty)
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        if (vectorProperty is not null)
        {
            resolver.Modifiers.Add(info =>
            {
                if (info.Type != typeof(TRecord))
                    return;
                foreach (JsonPropertyInfo property in info.Properties)
                {
                    if (property.AttributeProvider is PropertyInfo member && member.Name == vectorProperty.Name)
                        property.ShouldSerialize = static (_, _) => false;
                }
            });
        }
        return new JsonSerializerOptions { TypeInfoResolver = resolver };
    }
}
