using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Shared inputs of the trainer tests: real STS-B sentences and the pretrained MiniLM weights, read once.</summary>
internal static class TrainerTestData
{
    private static readonly Lazy<EncoderModel> MiniLmModel = new(() => PretrainedEncoders.Load("all-MiniLM-L6-v2"));

    private static readonly Lazy<BertWeights> MiniLm = new(() => OnnxBertReader.Read(new MemoryStream(MiniLmOnnx), "all-MiniLM-L6-v2"));

    public static BertWeights MiniLmWeights => MiniLm.Value;

    public static EncoderModel MiniLmEncoder => MiniLmModel.Value;

    public static byte[] MiniLmOnnx => MiniLmModel.Value.ReadOnnxBytes();

    public static byte[] MiniLmVocabulary => MiniLmModel.Value.ReadVocabularyText();

    public static EncoderTokenizer Tokenizer(int maxTokens = 128) => EncoderTokenizer.Create(MiniLmModel.Value, maxTokens);

    /// <summary>MiniLM's tokenization of sentences (or pairs), padded.</summary>
    public static TokenizedBatch Encode(IReadOnlyList<string> first, IReadOnlyList<string>? second = null, int maxTokens = 128)
    {
        EncoderTokenizer tokenizer = Tokenizer(maxTokens);
        return TokenizedBatch.Pad(first.Select((text, i) => tokenizer.Tokenize(text, second?[i])).ToArray());
    }

    /// <summary>The first <paramref name="count"/> sentence1 values of STS-B dev (column 8 of the GLUE layout).</summary>
    public static string[] StsbSentences(int count)
    {
        string path = SharedData.RequireFile("stsb", "dev.tsv");
        return File.ReadLines(path).Skip(1).Take(count).Select(l => l.Split('\t')[7]).ToArray();
    }

    /// <summary>Largest |a - b| over the real (unmasked) token positions of [rows, len, hidden] states.</summary>
    public static double MaxAbsDiffOnRealTokens(float[] a, float[] b, TokenizedBatch batch, int hidden)
    {
        double worst = 0;
        for (int t = 0; t < batch.Rows * batch.Length; t++)
        {
            if (batch.AttentionMask[t] == 0)
                continue;
            for (int h = 0; h < hidden; h++)
                worst = Math.Max(worst, Math.Abs(a[t * hidden + h] - b[t * hidden + h]));
        }
        return worst;
    }
}
