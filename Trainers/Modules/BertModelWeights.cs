using MLNetExt.Transforms.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// Converts between a TorchSharp <see cref="BertModel"/> and <see cref="BertWeights"/>, the plain arrays that
/// MLNetExt.Transforms reads from and writes to ONNX graphs (<see cref="OnnxBertReader"/>, <see cref="OnnxBertWriter"/>).
/// </summary>
public static class BertModelWeights
{
    /// <summary>Builds a <see cref="BertModel"/> for the weights' configuration and loads every parameter into it.</summary>
    /// <exception cref="FormatException">A parameter of the model has no weight of the same shape.</exception>
    public static BertModel CreateModel(this BertWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var model = new BertModel(weights.Config);
        try
        {
            weights.LoadInto(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Copies the weights into the parameters of <paramref name="model"/> (names and shapes must match).</summary>
    /// <exception cref="FormatException">A parameter of the model has no weight of the same shape.</exception>
    public static void LoadInto(this BertWeights weights, nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(model);
        using var noGrad = no_grad();
        foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters())
        {
            if (!weights.Weights.TryGetValue(name, out var w))
                throw new FormatException($"The weights have no entry for parameter '{name}'.");
            if (!w.Shape.SequenceEqual(parameter.shape))
                throw new FormatException($"Parameter '{name}': expected shape [{string.Join(", ", parameter.shape)}], the weights have [{string.Join(", ", w.Shape)}].");
            using Tensor source = tensor(w.Data, w.Shape);
            parameter.copy_(source);
        }
    }

    /// <summary>The model's configuration and a copy of its parameters as plain arrays, e.g. for <see cref="OnnxBertWriter"/>.</summary>
    public static BertWeights ToWeights(this BertModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Dictionary<string, (float[] Data, long[] Shape)> parameters = model.named_parameters().ToDictionary(
            x => x.name, x => (x.parameter.detach().cpu().contiguous().data<float>().ToArray(), x.parameter.shape), StringComparer.Ordinal);
        return new BertWeights(model.Config, parameters);
    }
}
