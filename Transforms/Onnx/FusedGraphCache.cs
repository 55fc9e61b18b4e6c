using System.Runtime.CompilerServices;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// The fused graph of each <see cref="EncoderModel"/> in use, made once per model (a model is immutable) and dropped
/// with it, so the query and document encoders of one model, or a refit, do not fuse again. Each transformer says once
/// in the log whether it runs the fused graph, or why not.
/// </summary>
/// <remarks>
/// The fused bytes are held weakly: once ONNX Runtime has its own copy in a session they are garbage, and keeping them
/// would double the managed memory of every model in use. A transformer made after they were collected fuses again.
/// </remarks>
internal static class FusedGraphCache
{
    private sealed record Entry(WeakReference<EncoderModel> Graph, bool Fused, string Reason);

    private static readonly ConditionalWeakTable<EncoderModel, Entry> Entries = new();
    private static readonly Lock Gate = new();

    /// <summary>The model to run (fused, or <paramref name="model"/> itself) and whether it runs fused kernels.</summary>
    public static (EncoderModel Graph, bool Fused) Get(EncoderModel model, IChannel channel)
    {
        (Entry entry, EncoderModel graph) = Find(model);
        if (!entry.Fused)
            channel.Warning(MessageSensitivity.None, $"EncodeText runs {model.OnnxPath} as it is, without fused kernels: {entry.Reason}");
        else if (ReferenceEquals(graph, model))
            channel.Info(MessageSensitivity.None, $"EncodeText runs {model.OnnxPath} as it is: {entry.Reason}");
        else
            channel.Info(MessageSensitivity.None, $"EncodeText runs {model.Name} on a fused graph (ONNX Runtime Attention, SkipLayerNormalization and BiasGelu over the same weights).");
        return (graph, entry.Fused);
    }

    private static (Entry Entry, EncoderModel Graph) Find(EncoderModel model)
    {
        lock (Gate)
        {
            if (Entries.TryGetValue(model, out Entry? known) && known.Graph.TryGetTarget(out EncoderModel? graph))
                return (known, graph);
            bool fused = EncoderGraphFusion.TryFuse(model, out EncoderModel made, out string reason);
            var entry = new Entry(new WeakReference<EncoderModel>(made), fused, reason);
            Entries.AddOrUpdate(model, entry);
            return (entry, made);
        }
    }
}
