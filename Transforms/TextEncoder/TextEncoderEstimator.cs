using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms;

/// <summary>
/// Estimator for <see cref="TextEncoderTransformer"/>: sentence embeddings (and optional token embeddings) of a text
/// column from a transformer encoder run by ONNX Runtime. Create it with <c>mlContext.Transforms.Text.EncodeText</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>text (<see cref="ReadOnlyMemory{T}"/> of char); optionally a second text column for pairs</description></item>
/// <item><term>Output columns</term><description>known-size vector of <see cref="float"/> (hidden size); optional variable-size token vectors, token mask (float) and word pieces (text)</description></item>
/// <item><term>Needs training</term><description>no (Fit opens the ONNX Runtime session and checks the schema)</description></item>
/// <item><term>Saved by</term><description><c>mlContext.Model.SaveWithEncoders</c> (one file with the stock parts of the pipeline)</description></item>
/// <item><term>Exportable to ONNX</term><description>no</description></item>
/// </list>
/// See Samples/TextEncoderSample.cs for a runnable example.
/// </remarks>
public sealed class TextEncoderEstimator : IEstimator<TextEncoderTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly TextEncoderSettings _settings;

    internal TextEncoderEstimator(IHostEnvironment environment, TextEncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _environment = environment;
        Model = options.Model ?? PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
        _settings = TextEncoderSettings.Resolve(options, Model);
    }

    /// <summary>The encoder this estimator fits with.</summary>
    public EncoderModel Model { get; }

    /// <summary>Checks the input columns and opens the ONNX Runtime session.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is not text.</exception>
    /// <exception cref="InvalidDataException">The ONNX file is corrupt or is not an encoder graph.</exception>
    public TextEncoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(MLNetExt.Transforms.Schema.SchemaShapeFactory.Create(input.Schema));
        return new TextEncoderTransformer(_environment, _settings, Model);
    }

    /// <summary>The input shape plus the output columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is not text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return EncoderBindings.GetOutputShape(inputSchema, _settings.InputColumn, _settings.PairColumn,
            SentenceEncoderHead.Outputs(_settings, Model.Config.HiddenSize).Select(o => (o.Name, o.Type)));
    }
}
