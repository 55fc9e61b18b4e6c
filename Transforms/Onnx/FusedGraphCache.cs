using System.Runtime.CompilerServices;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// The fused graph of each <see cref="EncoderModel"/> in use, made once per model (a model is immutable) and dropped
/// with it, so the query and document encoders of one model, or a refit, do not fuse again. Each transformer says once
/// in the log whether it runs the fused graph, or why not.
/// </summary>
internal static class FusedGraphCache
{
    private sealed record Entry(EncoderModel Graph, bool Fused, string Reason);

    private static readonly ConditionalWeakTable<EncoderModel, Lazy<Entry>> Entries = new();

    /// <summary>The model to run (fused, or <paramref name="model"/> itself) and whether it runs fused kernels.</summary>
    public static (EncoderModel Graph, bool Fused) Get(EncoderModel model, IChannel channel)
    {
        Entry entry = Entries.GetValue(model, m => new Lazy<Entry>(() =>
        {
            bool fused = EncoderGraphFusion.TryFuse(m, out EncoderModel graph, out string reason);
            return new Entry(graph, fused, reason);
        })).Value;
        if (!entry.Fused)
            channel.Warning(MessageSensitivity.None, $"EncodeText runs {model.OnnxPath} as it is, without fused kernels: {entry.Reason}");
        else if (ReferenceEquals(entry.Graph, model))
            channel.Info(MessageSensitivity.None, $"EncodeText runs {model.OnnxPath} as it is: {entry.Reason}");
        else
            channel.Info(MessageSensitivity.None, $"EncodeText runs {model.Name} on a fused graph (ONNX Runtime Attention, SkipLayerNormalization and BiasGelu over the same weights).");
        return (entry.Graph, entry.Fused);
    }
}
