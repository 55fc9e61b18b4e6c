using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace MLNetExt.Evaluation.Embeddings;

/// <summary>
/// An <see cref="ITextEmbedder"/> that keeps every output it computes in a file and replays it on later calls, so that
/// an expensive encoding pass (a BEIR corpus's token states for late interaction) is done once and survives an
/// interrupted run: a rerun with the same file encodes only the texts still missing.
/// </summary>
/// <remarks>
/// <para>File layout (little endian): the 8 bytes <c>MLNXEMB1</c>, the key's UTF-8 length (int32) and bytes, then one
/// record per text: the first 8 bytes of the SHA-256 of the text's UTF-8 (the text exactly as the inner embedder gets
/// it, prefixes included), the output's float count (int32) and the floats. Records are appended and flushed every
/// <see cref="FlushInterval"/> texts; a record cut short by a killed process is dropped (the file is cut back to the
/// last whole record) when the file is opened again. The key names what produced the outputs (model, settings);
/// opening a file written under another key is an error, so outputs of two models never mix.</para>
/// <para>Cached outputs are replayed first, in text order, then the missing texts are encoded by the inner embedder
/// in their order; each text reaches the sink exactly once. The instance holds the file open (exclusively) until disposed.</para>
/// </remarks>
public sealed class CachedTextEmbedder : ITextEmbedder, IDisposable
{
    private static readonly byte[] Magic = "MLNXEMB1"u8.ToArray();
    private const int RecordHeader = 12;

    private readonly ITextEmbedder _inner;
    private readonly FileStream _file;
    private readonly Dictionary<ulong, (long Offset, int Count)> _records = new();

    /// <summary>Opens (or creates) the cache file <paramref name="path"/> in front of <paramref name="inner"/>.</summary>
    /// <param name="inner">The embedder whose outputs are cached.</param>
    /// <param name="path">The cache file.</param>
    /// <param name="key">What produces the outputs, e.g. the model's name and source and the output column; must match the file's.</param>
    /// <exception cref="InvalidDataException">The file is not a cache file, or was written under another key; the message names both keys.</exception>
    public CachedTextEmbedder(ITextEmbedder inner, string path, string key)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(key);
        Path = path;
        Key = key;
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            Open();
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>What produced the cached outputs.</summary>
    public string Key { get; }

    /// <summary>Texts whose outputs the file holds.</summary>
    public int CachedTexts => _records.Count;

    /// <summary>Texts the last <see cref="Embed"/> call found in the file.</summary>
    public int LastHits { get; private set; }

    /// <summary>Texts the last <see cref="Embed"/> call had the inner embedder encode.</summary>
    public int LastMisses { get; private set; }

    /// <summary>Texts between flushes of the file; 16 by default.</summary>
    public int FlushInterval { get; init; } = 16;

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    public void Embed(IReadOnlyList<string> texts, EmbeddingSink onEmbedding, string stage = "texts",
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(onEmbedding);
        ObjectDisposedException.ThrowIf(!_file.CanRead, this);
        var missing = new List<int>();
        var hashes = new ulong[texts.Count];
        float[] buffer = [];
        int done = 0;
        progress?.Report(new EncodingProgress(stage, 0, texts.Count));
        for (int i = 0; i < texts.Count; i++)
        {
            hashes[i] = Hash(texts[i] ?? "");
            if (!_records.TryGetValue(hashes[i], out var record))
            {
                missing.Add(i);
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (buffer.Length != record.Count)
                buffer = new float[record.Count];
            _file.Position = record.Offset + RecordHeader;
            _file.ReadExactly(MemoryMarshal.AsBytes(buffer.AsSpan()));
            onEmbedding(i, buffer);
            if (++done % 64 == 0)
                progress?.Report(new EncodingProgress(stage, done, texts.Count));
        }
        LastHits = texts.Count - missing.Count;
        LastMisses = missing.Count;
        if (missing.Count == 0)
        {
            progress?.Report(new EncodingProgress(stage, texts.Count, texts.Count));
            return;
        }

        int hits = LastHits, written = 0;
        var forward = progress is null ? null : new ForwardedProgress(p => progress.Report(p with { Done = hits + p.Done, Total = texts.Count }));
        _file.Seek(0, SeekOrigin.End);
        try
        {
            _inner.Embed(missing.Select(i => texts[i]).ToList(), (j, embedding) =>
            {
                int index = missing[j];
                if (!embedding.IsEmpty)
                    Append(hashes[index], embedding);
                if (++written % FlushInterval == 0)
                    _file.Flush();
                onEmbedding(index, embedding);
            }, stage, forward, cancellationToken);
        }
        finally
        {
            _file.Flush();
        }
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private void Append(ulong hash, ReadOnlySpan<float> embedding)
    {
        long offset = _file.Position;
        Span<byte> header = stackalloc byte[RecordHeader];
        BinaryPrimitives.WriteUInt64LittleEndian(header, hash);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], embedding.Length);
        _file.Write(header);
        _file.Write(MemoryMarshal.AsBytes(embedding));
        _records[hash] = (offset, embedding.Length);
    }

    private void Open()
    {
        byte[] key = Encoding.UTF8.GetBytes(Key);
        if (_file.Length == 0)
        {
            _file.Write(Magic);
            Span<byte> keyLength = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(keyLength, key.Length);
            _file.Write(keyLength);
            _file.Write(key);
            _file.Flush();
            return;
        }
        Span<byte> head = stackalloc byte[12];
        if (_file.Length < 12 || _file.Read(head) != 12 || !head[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{Path}: not an embedding cache file (expected it to start with MLNXEMB1); give another file or delete this one.");
        int storedLength = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        if (storedLength < 0 || 12L + storedLength > _file.Length)
            throw new InvalidDataException($"{Path}: the cache file's header is cut short; delete the file.");
        var stored = new byte[storedLength];
        _file.ReadExactly(stored);
        string storedKey = Encoding.UTF8.GetString(stored);
        if (storedKey != Key)
            throw new InvalidDataException($"{Path}: the cache holds outputs of '{storedKey}', but this run computes '{Key}'; use another cache file or delete this one.");

        long position = _file.Position, length = _file.Length;
        Span<byte> record = stackalloc byte[RecordHeader];
        while (position + RecordHeader <= length)
        {
            _file.Position = position;
            _file.ReadExactly(record);
            ulong hash = BinaryPrimitives.ReadUInt64LittleEndian(record);
            int count = BinaryPrimitives.ReadInt32LittleEndian(record[8..]);
            long end = position + RecordHeader + 4L * count;
            if (count <= 0 || end > length)
                break;
            _records[hash] = (position, count);
            position = end;
        }
        // A record cut short by an interrupted run is dropped; the next append starts where the last whole one ended.
        if (position < length)
            _file.SetLength(position);
    }

    private static ulong Hash(string text) => BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private sealed class ForwardedProgress(Action<EncodingProgress> report) : IProgress<EncodingProgress>
    {
        public void Report(EncodingProgress value) => report(value);
    }
}
