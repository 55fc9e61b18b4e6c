using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms;

/// <summary>
/// Estimator for <see cref="CompressContextTransformer"/>: a text column in, K continuous vectors per row out (a context
/// compressor for late-interaction retrieval). Create it with <c>mlContext.Transforms.Text.CompressContext</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>text (<see cref="ReadOnlyMemory{T}"/> of char)</description></item>
/// <item><term>Output columns</term><description>variable-size vector of <see cref="float"/> (K x dimension, row-major: the hidden size, or the learned compressor's width) and K (<see cref="int"/>)</description></item>
/// <item><term>Needs training</term><description>no (the mean and cluster methods have no parameters, the learned method is trained beforehand by <c>TrainContextCompressor</c>; Fit opens the ONNX Runtime session and checks the schema)</description></item>
/// <item><term>Saved by</term><description><c>mlContext.Model.SaveWithEncoders</c></description></item>
/// <item><term>Exportable to ONNX</term><description>no</description></item>
/// </list>
/// See Samples/ContextCompressionSample.cs for a runnable example.
/// </remarks>
public sealed class CompressContextEstimator : IEstimator<CompressContextTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly CompressContextSettings _settings;
    private readonly LearnedContextCompressor? _compressor;

    internal CompressContextEstimator(IHostEnvironment environment, CompressContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _environment = environment;
        Model = options.Compressor?.Encoder ?? options.Model ?? PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
        _settings = CompressContextSettings.Resolve(options, Model);
        _compressor = options.Compressor;
    }

    /// <summary>The encoder this estimator fits with.</summary>
    public EncoderModel Model { get; }

    /// <summary>Checks the input column and opens the ONNX Runtime session.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not text.</exception>
    public CompressContextTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(Schema.SchemaShapeFactory.Create(input.Schema));
        return new CompressContextTransformer(_environment, _settings, Model, _compressor);
    }

    /// <summary>The input shape plus the vectors and count columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return EncoderBindings.GetOutputShape(inputSchema, _settings.InputColumn, null, CompressedContextHead.Outputs(_settings));
    }
}
