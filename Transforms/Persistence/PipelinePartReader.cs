using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms.Persistence;

/// <summary>Reads the files of one part of a pipeline file; names are relative to the part's own folder.</summary>
public sealed class PipelinePartReader
{
    private readonly PipelineArchiveReader _archive;
    private readonly string _prefix;

    internal PipelinePartReader(PipelineArchiveReader archive, string prefix, IHostEnvironment environment)
    {
        _archive = archive;
        _prefix = prefix;
        Environment = environment;
    }

    /// <summary>The ML.NET environment (<c>MLContext</c>) loading the pipeline.</summary>
    public IHostEnvironment Environment { get; }

    /// <summary>The file (or "(stream)") being read, for error messages.</summary>
    public string Source => _archive.Source;

    /// <summary>The part's folder inside the pipeline file, for error messages.</summary>
    public string Folder => _prefix;

    /// <summary>Reads a file of the part, checked against the SHA-256 recorded for it when the pipeline was saved.</summary>
    /// <exception cref="InvalidDataException">The part has no such file, or it is damaged; the message names the pipeline file and the entry.</exception>
    public byte[] ReadEntry(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _archive.Read(_prefix + name);
    }
}
