using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>
/// Probes run in a child process by <see cref="ModelLifetimeTests"/>: a loaded pipeline (the v1 fixture, a tiny text
/// encoder and NormalizeMinMax) used from many threads the way services use it. Each prints what it saw and exits
/// with 0 only if every answer was exact or an <see cref="ObjectDisposedException"/> naming the transformer.
/// </summary>
internal static class LifetimeProbes
{
    public sealed class Prediction
    {
        [ColumnName("Features")]
        public float[] Features { get; set; } = [];
    }

    private static readonly string[] s_texts =
    [
        "the film is good.", "a dull, bad film", "a man is playing the guitar.", "moving", "", "good good good film",
        "the man is playing a bad guitar, the film is dull.", "a", "bad.", "the guitar is moving and the man is good",
    ];

    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "encoder-pipeline-v1.zip");

    /// <summary>What one engine gives for each text, one call at a time: the reference answers.</summary>
    private static float[][] Expected(MLContext ml, ITransformer model)
    {
        using var engine = ml.Model.CreatePredictionEngine<TextRow, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return s_texts.Select(t => engine.Predict(new TextRow { Text = t }).Features).ToArray();
    }

    private static bool Exact(float[] expected, float[] actual) =>
        expected.AsSpan().SequenceEqual(actual);   // bit for bit (no NaNs here)

    /// <summary>
    /// Arguments: threads, predictions per thread. Each thread makes its engine with ML.NET's defaults
    /// (<c>using var engine = mlContext.Model.CreatePredictionEngine(model)</c>, which owns the model) and predicts;
    /// then engines are made and disposed one after another. Nothing may fail: disposing an engine must not end the model.
    /// </summary>
    public static int EnginesPerThread(string[] args)
    {
        int threads = int.Parse(args[0]), predictions = int.Parse(args[1]);
        var ml = new MLContext();
        ITransformer model = ml.Model.LoadWithEncoders(FixturePath, out _);
        float[][] expected = Expected(ml, model);
        int exact = 0, wrong = 0;
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            using var engine = ml.Model.CreatePredictionEngine<TextRow, Prediction>(model);
            for (int i = 0; i < predictions; i++)
            {
                int k = (i * 7 + t) % s_texts.Length;
                if (Exact(expected[k], engine.Predict(new TextRow { Text = s_texts[k] }).Features))
                    Interlocked.Increment(ref exact);
                else
                    Interlocked.Increment(ref wrong);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        int sequential = 0;
        for (int round = 0; round < 3; round++)
        {
            using var engine = ml.Model.CreatePredictionEngine<TextRow, Prediction>(model);
            if (Exact(expected[round], engine.Predict(new TextRow { Text = s_texts[round] }).Features))
                sequential++;
        }
        Console.WriteLine($"exact={exact} wrong={wrong} sequential-engines-exact={sequential}");
        return wrong == 0 && exact == threads * predictions && sequential == 3 ? 0 : 3;
    }

    /// <summary>
    /// Arguments: rounds, threads. In each round a fresh model serves threads that predict (own engine, ML.NET's
    /// defaults) or read batched <c>Transform</c> output in a loop; once they have made some progress the owner
    /// ends the model with <c>DisposeEncoders</c>. Every answer must be exact until each thread gets an
    /// <see cref="ObjectDisposedException"/> naming TextEncoderTransformer; any other outcome fails.
    /// </summary>
    public static int DisposeWhilePredicting(string[] args)
    {
        int rounds = int.Parse(args[0]), threads = int.Parse(args[1]);
        var ml = new MLContext();
        int exact = 0, wrong = 0, disposedSeen = 0;
        var failures = new ConcurrentQueue<string>();
        for (int round = 0; round < rounds; round++)
        {
            ITransformer model = ml.Model.LoadWithEncoders(FixturePath, out _);
            float[][] expected = Expected(ml, model);
            IDataView batch = Texts(ml, s_texts);
            int progress = 0;
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                try
                {
                    if (t % 4 == 3)
                    {
                        while (true)
                        {
                            var rows = model.Transform(batch, CancellationToken.None).GetColumn<float[]>("Features").ToArray();
                            for (int k = 0; k < rows.Length; k++)
                                Interlocked.Increment(ref Exact(expected[k], rows[k]) ? ref exact : ref wrong);
                            Interlocked.Increment(ref progress);
                        }
                    }
                    using var engine = ml.Model.CreatePredictionEngine<TextRow, Prediction>(model);
                    for (int i = 0; ; i++)
                    {
                        int k = (i + t) % s_texts.Length;
                        bool ok = Exact(expected[k], engine.Predict(new TextRow { Text = s_texts[k] }).Features);
                        Interlocked.Increment(ref ok ? ref exact : ref wrong);
                        Interlocked.Increment(ref progress);
                    }
                }
                catch (ObjectDisposedException ex) when (ex.ObjectName == "TextEncoderTransformer")
                {
                    Interlocked.Increment(ref disposedSeen);
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex.ToString());
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            while (Volatile.Read(ref progress) < 50 * threads && workers.Any(w => w.IsAlive))
                Thread.Yield();
            int ended = model.DisposeEncoders();
            workers.ForEach(w => w.Join());
            if (ended != 1)
                failures.Enqueue($"round {round}: DisposeEncoders ended {ended} parts, expected 1");
        }
        Console.WriteLine($"exact={exact} wrong={wrong} disposed={disposedSeen} failures={failures.Count}");
        foreach (string failure in failures.Take(3))
            Console.WriteLine(failure);
        return wrong == 0 && failures.IsEmpty && disposedSeen == rounds * threads ? 0 : 3;
    }
}
