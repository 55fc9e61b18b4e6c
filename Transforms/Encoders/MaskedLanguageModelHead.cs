using System.Numerics.Tensors;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Transforms;

/// <summary>
/// A BERT masked-language-model head over an encoder's last hidden state: dense layer, GELU, LayerNorm, then scores
/// over the vocabulary through the encoder's own word embeddings (tied output) plus a bias per word piece.
/// </summary>
/// <remarks>
/// Saved as safetensors with Hugging Face's <c>BertForMaskedLM</c> names (<see cref="DenseWeightName"/> and the
/// others), so a head trained here and one exported from a Hugging Face model read the same way; a file that carries
/// <c>cls.predictions.decoder.weight</c> uses it instead of the tied embeddings.
/// </remarks>
public sealed class MaskedLanguageModelHead
{
    /// <summary>Tensor name of the dense weight, [hidden, hidden] (output x input).</summary>
    public const string DenseWeightName = "cls.predictions.transform.dense.weight";

    /// <summary>Tensor name of the dense bias, [hidden].</summary>
    public const string DenseBiasName = "cls.predictions.transform.dense.bias";

    /// <summary>Tensor name of the LayerNorm scale, [hidden].</summary>
    public const string NormWeightName = "cls.predictions.transform.LayerNorm.weight";

    /// <summary>Tensor name of the LayerNorm shift, [hidden].</summary>
    public const string NormBiasName = "cls.predictions.transform.LayerNorm.bias";

    /// <summary>Tensor name of the bias per word piece, [vocabulary].</summary>
    public const string OutputBiasName = "cls.predictions.bias";

    /// <summary>Tensor name of an untied output matrix, [vocabulary, hidden] (optional).</summary>
    public const string DecoderWeightName = "cls.predictions.decoder.weight";

    /// <summary>The head's file name inside a model folder.</summary>
    public const string FileName = "mlm_head.safetensors";

    private readonly float[] _denseWeight, _denseBias, _normWeight, _normBias, _outputBias, _embeddings;

    /// <summary>A head from its weights; <paramref name="embeddings"/> is the output matrix, [vocabulary, hidden] row-major.</summary>
    /// <exception cref="ArgumentException">A weight's length does not fit <paramref name="hidden"/> and the vocabulary.</exception>
    public MaskedLanguageModelHead(int hidden, float[] denseWeight, float[] denseBias, float[] normWeight, float[] normBias, float[] outputBias, float[] embeddings,
        double layerNormEpsilon = 1e-12)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        Hidden = hidden;
        VocabularySize = outputBias.Length;
        Check(denseWeight, hidden * hidden, DenseWeightName);
        Check(denseBias, hidden, DenseBiasName);
        Check(normWeight, hidden, NormWeightName);
        Check(normBias, hidden, NormBiasName);
        Check(embeddings, (long)VocabularySize * hidden, "the output embeddings");
        (_denseWeight, _denseBias, _normWeight, _normBias, _outputBias, _embeddings) = (denseWeight, denseBias, normWeight, normBias, outputBias, embeddings);
        LayerNormEpsilon = layerNormEpsilon;
    }

    /// <summary>Width of the hidden state the head reads.</summary>
    public int Hidden { get; }

    /// <summary>Word pieces scored.</summary>
    public int VocabularySize { get; }

    /// <summary>The LayerNorm's epsilon.</summary>
    public double LayerNormEpsilon { get; }

    /// <summary>Reads a head saved by <see cref="Save"/>; the output matrix is <paramref name="wordEmbeddings"/> unless the file has its own.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or has the wrong shape for <paramref name="hidden"/>.</exception>
    public static MaskedLanguageModelHead Load(string path, int hidden, float[] wordEmbeddings, double layerNormEpsilon = 1e-12)
    {
        ArgumentNullException.ThrowIfNull(wordEmbeddings);
        IReadOnlyDictionary<string, (float[] Data, long[] Shape)> tensors = SafetensorsFile.Read(path);
        float[] Get(string name)
        {
            if (!tensors.TryGetValue(name, out var tensor))
                throw new InvalidDataException($"{path}: no tensor '{name}'; a masked-language-model head needs {DenseWeightName}, {DenseBiasName}, {NormWeightName}, {NormBiasName} and {OutputBiasName}.");
            return tensor.Data;
        }
        float[] bias = Get(OutputBiasName);
        float[] output = tensors.TryGetValue(DecoderWeightName, out var decoder) ? decoder.Data : wordEmbeddings;
        try
        {
            return new MaskedLanguageModelHead(hidden, Get(DenseWeightName), Get(DenseBiasName), Get(NormWeightName), Get(NormBiasName), bias, output, layerNormEpsilon);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Writes the head's own weights (not the tied embeddings) to <paramref name="path"/>, atomically.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafetensorsFile.Write(path,
        [
            (DenseWeightName, _denseWeight, [Hidden, Hidden]),
            (DenseBiasName, _denseBias, [Hidden]),
            (NormWeightName, _normWeight, [Hidden]),
            (NormBiasName, _normBias, [Hidden]),
            (OutputBiasName, _outputBias, [VocabularySize]),
        ], metadata);

    /// <summary>Scores every word piece for one hidden state: <paramref name="logits"/> gets <see cref="VocabularySize"/> values.</summary>
    public void Logits(ReadOnlySpan<float> state, Span<float> logits)
    {
        if (state.Length != Hidden)
            throw new ArgumentException($"The hidden state has {state.Length} values; the head reads {Hidden}.", nameof(state));
        if (logits.Length < VocabularySize)
            throw new ArgumentException($"The logits span has room for {logits.Length} values; the vocabulary has {VocabularySize}.", nameof(logits));
        Span<float> x = Hidden <= 2048 ? stackalloc float[Hidden] : new float[Hidden];
        for (int o = 0; o < Hidden; o++)
            x[o] = TensorPrimitives.Dot(_denseWeight.AsSpan(o * Hidden, Hidden), state) + _denseBias[o];
        for (int o = 0; o < Hidden; o++)
            x[o] = Gelu(x[o]);
        float mean = TensorPrimitives.Sum(x) / Hidden;
        TensorPrimitives.Subtract(x, mean, x);
        float variance = TensorPrimitives.Dot(x, x) / Hidden;
        float scale = (float)(1.0 / Math.Sqrt(variance + LayerNormEpsilon));
        TensorPrimitives.Multiply(x, scale, x);
        TensorPrimitives.Multiply(x, _normWeight, x);
        TensorPrimitives.Add(x, _normBias, x);
        for (int v = 0; v < VocabularySize; v++)
            logits[v] = TensorPrimitives.Dot(_embeddings.AsSpan(v * Hidden, Hidden), x) + _outputBias[v];
    }

    // GELU with erf, as BERT's "gelu"; erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).
    private static float Gelu(float x) => 0.5f * x * (1f + Erf(x / MathF.Sqrt(2f)));

    private static float Erf(float x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * z);
        double y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-z * z);
        return (float)(x < 0 ? -y : y);
    }

    private static void Check(float[] values, long expected, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Length != expected)
            throw new ArgumentException($"'{name}' has {values.Length} values; it needs {expected}.");
    }
}
