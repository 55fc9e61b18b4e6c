using System.IO.Compression;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms.Persistence;

/// <summary>Reads the files of one part of a pipeline file; names are relative to the part's own folder.</summary>
public sealed class PipelinePartReader
{
    private readonly ZipArchive _archive;
    private readonly string _prefix;

    internal PipelinePartReader(ZipArchive archive, string prefix, IHostEnvironment environment, string source)
    {
        _archive = archive;
        _prefix = prefix;
        Environment = environment;
        Source = source;
    }

    /// <summary>The ML.NET environment (<c>MLContext</c>) loading the pipeline.</summary>
    public IHostEnvironment Environment { get; }

    /// <summary>The file (or "(stream)") being read, for error messages.</summary>
    public string Source { get; }

    /// <summary>The part's folder inside the pipeline file, for error messages.</summary>
    public string Folder => _prefix;

    /// <summary>Reads a file of the part.</summary>
    /// <exception cref="InvalidDataException">The part has no such file; the message names the pipeline file and the entry.</exception>
    public byte[] ReadEntry(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return EncoderPipelineFile.ReadEntry(_archive, _prefix + name, Source);
    }
}
