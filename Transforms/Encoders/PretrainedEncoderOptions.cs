namespace MLNetExt.Transforms;

/// <summary>Where <see cref="PretrainedEncoders"/> writes the models it takes out of their NuGet packages.</summary>
public sealed class PretrainedEncoderOptions
{
    /// <summary>
    /// The cache folder. Null means the <c>MLNETEXT_CACHE</c> environment variable when set, otherwise
    /// <c>mlnetext/models</c> under the user's local application data folder (see <see cref="PretrainedEncoders.DefaultCacheDirectory"/>).
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>How long to wait for another process that is writing the same model. Default 10 minutes.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
