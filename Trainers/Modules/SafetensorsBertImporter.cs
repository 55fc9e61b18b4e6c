using MLNetExt.Transforms.Onnx;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// Loads a BERT-family encoder from a Hugging Face folder holding <c>config.json</c> and <c>model.safetensors</c>
/// (read with TorchSharp.PyBridge). Names with a <c>bert.</c> prefix (task models) are accepted; heads and the pooler
/// are ignored; fp16/bf16 weights are converted to fp32.
/// </summary>
public static class SafetensorsBertImporter
{
    /// <summary>Builds a <see cref="BertModel"/> from <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">config.json or model.safetensors is missing.</exception>
    /// <exception cref="FormatException">A parameter of the model has no weight of the same shape in the file.</exception>
    public static BertModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string configPath = Path.Combine(directory, "config.json"), weightsPath = Path.Combine(directory, "model.safetensors");
        foreach (string file in new[] { configPath, weightsPath })
            if (!File.Exists(file))
                throw new FileNotFoundException($"Encoder folder '{directory}' has no '{Path.GetFileName(file)}'.", file);
        BertConfig config = BertConfig.FromJson(File.ReadAllText(configPath), configPath);
        var model = new BertModel(config);
        Dictionary<string, Tensor> state = Safetensors.LoadStateDict(weightsPath);
        try
        {
            using var noGrad = no_grad();
            foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters())
            {
                Tensor? source = state.GetValueOrDefault(name) ?? state.GetValueOrDefault("bert." + name);
                if (source is null)
                    throw new FormatException($"{weightsPath}: no tensor '{name}' (or 'bert.{name}').");
                if (!source.shape.SequenceEqual(parameter.shape))
                    throw new FormatException($"{weightsPath}: '{name}' has shape [{string.Join(", ", source.shape)}], the config needs [{string.Join(", ", parameter.shape)}].");
                parameter.copy_(source.to_type(ScalarType.Float32));
            }
        }
        finally
        {
            foreach (Tensor t in state.Values)
                t.Dispose();
        }
        return model;
    }
}
