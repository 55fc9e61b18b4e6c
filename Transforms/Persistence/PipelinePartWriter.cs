using System.IO.Compression;

namespace MLNetExt.Transforms.Persistence;

/// <summary>Adds the files of one part to a pipeline file; names are relative to the part's own folder.</summary>
public sealed class PipelinePartWriter
{
    private readonly PipelineArchiveWriter _archive;
    private readonly string _prefix;

    internal PipelinePartWriter(PipelineArchiveWriter archive, string prefix)
    {
        _archive = archive;
        _prefix = prefix;
    }

    /// <summary>Adds a file to the part.</summary>
    /// <param name="name">File name inside the part (e.g. <c>model.onnx</c>); unique within the part.</param>
    /// <param name="contents">The bytes.</param>
    /// <param name="compress">False for data that does not compress (float weights): stored as is, read faster.</param>
    public void WriteEntry(string name, ReadOnlySpan<byte> contents, bool compress = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _archive.Write(_prefix + name, contents, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
    }
}
