using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>
/// Memory of a loaded pipeline, for BENCHMARKS.md: <c>save</c> writes EncodeText(MiniLM) to a file; <c>load</c>, in a
/// fresh process, loads it, encodes one row (so the session exists) and prints the process RSS and the managed heap
/// after a full collection, against the same figures just before loading.
/// </summary>
internal static class ModelMemoryProbe
{
    /// <summary>Arguments: <c>save PATH</c> (writes EncodeText(MiniLM) there) or <c>load PATH</c> (measures it in this fresh process).</summary>
    public static int Run(string[] args)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, "a man is playing a guitar.");
        if (args[0] == "save")
        {
            TextEncoderTransformer encoder = ml.Transforms.Text.EncodeText("Embedding", "Text", MiniLM).Fit(data);
            ml.Model.SaveWithEncoders(encoder, data.Schema, args[1]);
            encoder.Dispose();
            return 0;
        }
        data.GetColumn<string>("Text").ToArray();   // ML.NET's own start-up costs fall before the first measure
        (long rss0, long heap0) = Measure();
        var clock = Stopwatch.StartNew();
        ITransformer loaded = ml.Model.LoadWithEncoders(args[1], out _);
        float[] vector = loaded.Transform(data).GetColumn<float[]>("Embedding").Single();
        double seconds = clock.Elapsed.TotalSeconds;
        (long rss1, long heap1) = Measure();
        Console.WriteLine($"file={new FileInfo(args[1]).Length / 1e6:F1} MB load+first-row={seconds:F2} s " +
            $"rss={rss0 / 1e6:F0}->{rss1 / 1e6:F0} MB (+{(rss1 - rss0) / 1e6:F0}) managed=+{(heap1 - heap0) / 1e6:F0} MB dim={vector.Length}");
        GC.KeepAlive(loaded);
        return 0;
    }

    private static (long Rss, long Heap) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using var self = Process.GetCurrentProcess();
        return (self.WorkingSet64, heap);
    }
}
