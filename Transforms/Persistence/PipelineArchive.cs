using System.IO.Compression;
using System.Security.Cryptography;

namespace MLNetExt.Transforms.Persistence;

/// <summary>Adds entries to a pipeline file and records the SHA-256 of each, for the manifest.</summary>
internal sealed class PipelineArchiveWriter(ZipArchive archive)
{
    /// <summary>Entry name to lower-case hexadecimal SHA-256 of its contents, for every entry written so far.</summary>
    public SortedDictionary<string, string> Hashes { get; } = new(StringComparer.Ordinal);

    public void Write(string name, ReadOnlySpan<byte> contents, CompressionLevel level)
    {
        if (Hashes.ContainsKey(name))
            throw new InvalidOperationException($"The pipeline file already has an entry '{name}'.");
        using (Stream stream = archive.CreateEntry(name, level).Open())
            stream.Write(contents);
        Hashes[name] = Convert.ToHexStringLower(SHA256.HashData(contents));
    }
}

/// <summary>
/// Reads entries of a pipeline file, checking each against the SHA-256 the manifest records for it while it is read
/// (one pass), and refusing entries the manifest does not list or lists but the file lacks. Every error is an
/// <see cref="InvalidDataException"/> naming the file being loaded and the entry.
/// </summary>
internal sealed class PipelineArchiveReader
{
    private readonly ZipArchive _archive;
    private readonly IReadOnlyDictionary<string, string>? _hashes;
    private readonly HashSet<string> _checked = new(StringComparer.Ordinal);

    /// <param name="archive">The opened file.</param>
    /// <param name="source">The file being loaded, for messages.</param>
    /// <param name="hashes">The manifest's hashes, or null for a file written before they existed (nothing is checked).</param>
    /// <param name="manifestName">The manifest's own entry, which carries no hash.</param>
    public PipelineArchiveReader(ZipArchive archive, string source, IReadOnlyDictionary<string, string>? hashes, string manifestName)
    {
        _archive = archive;
        Source = source;
        _hashes = hashes;
        if (hashes is null)
            return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            if (!seen.Add(entry.FullName))
                throw Damaged(entry.FullName, "appears twice in the archive");
            if (entry.FullName != manifestName && !hashes.ContainsKey(entry.FullName))
                throw Damaged(entry.FullName, $"is not listed in {manifestName}; the file was altered after it was saved");
        }
        foreach (string name in hashes.Keys)
        {
            if (!seen.Contains(name))
                throw Damaged(name, $"is listed in {manifestName} but missing from the file");
        }
    }

    /// <summary>The file being loaded (or "(stream)").</summary>
    public string Source { get; }

    /// <summary>Whether entries are checked against recorded hashes.</summary>
    public bool Verifies => _hashes is not null;

    /// <summary>Reads a whole entry, checking its hash as it streams in.</summary>
    /// <exception cref="InvalidDataException">The entry is missing, unreadable or not what was saved.</exception>
    public byte[] Read(string name)
    {
        ZipArchiveEntry entry = _archive.GetEntry(name) ?? throw new InvalidDataException($"{Source}: the pipeline file has no entry '{name}'.");
        string? expected = null;
        if (_hashes is not null && !_hashes.TryGetValue(name, out expected))
            throw Damaged(name, "has no recorded hash");
        // A deflated entry cannot grow more than about 1032-fold; a larger stated size means a damaged header.
        if (entry.Length > Array.MaxLength || entry.Length > 1100 * Math.Max(entry.CompressedLength, 1) + 4096)
            throw Damaged(name, $"states an impossible size ({entry.Length} bytes from {entry.CompressedLength})");
        var bytes = new byte[entry.Length];
        try
        {
            using Stream stream = entry.Open();
            stream.ReadExactly(bytes);
            if (stream.ReadByte() != -1)
                throw Damaged(name, "is longer than its header says");
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException && !ex.Message.StartsWith(Source, StringComparison.Ordinal))
        {
            throw Damaged(name, $"cannot be read ({ex.Message})", ex);
        }
        if (expected is not null)
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw Damaged(name, $"does not match the SHA-256 recorded when the file was saved (expected {expected}, got {actual}); the file is damaged");
            _checked.Add(name);
        }
        return bytes;
    }

    /// <summary>Checks the listed entries no part read (a part may skip a file); read ones were checked already.</summary>
    public void CheckUnread()
    {
        if (_hashes is null)
            return;
        foreach (string name in _hashes.Keys.Where(n => !_checked.Contains(n)).ToList())
            Read(name);
    }

    public InvalidDataException Damaged(string entry, string problem, Exception? inner = null) =>
        new($"{Source}: entry '{entry}' {problem}.", inner);
}
