using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class ExportedEncoderTransformTests
{
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    [TestMethod]
    public void TextEncoderTransformRunsTheExportedGraphWithTheOriginalsEmbeddings()
    {
        EncoderModel original = PretrainedEncoders.Load("all-MiniLM-L6-v2");
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-exported-minilm-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Same folder as the pretrained one (config, vocabulary, pooling files), with our graph as model.onnx.
            foreach (string file in Directory.EnumerateFiles(original.Directory!, "*", SearchOption.AllDirectories))
            {
                string target = Path.Combine(folder, Path.GetRelativePath(original.Directory!, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            using (var model = TrainerTestData.MiniLmWeights.CreateModel())
                OnnxBertWriter.Save(model.ToWeights(), Path.Combine(folder, Path.GetRelativePath(original.Directory!, original.OnnxPath)));
            EncoderModel exported = EncoderModel.Load(folder);

            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromEnumerable(TrainerTestData.StsbSentences(20).Select(s => new TextRow { Text = s }).ToArray());
            float[][] Embed(EncoderModel m)
            {
                var transformer = ml.Transforms.Text.EncodeText("Embedding", "Text", m).Fit(data);
                return transformer.Transform(data).GetColumn<float[]>("Embedding").ToArray();
            }
            float[][] a = Embed(original), b = Embed(exported);
            double diff = a.Zip(b, (x, y) => x.Zip(y, (p, q) => Math.Abs(p - q)).Max()).Max();
            Assert.IsLessThanOrEqualTo(1e-4, diff, $"sentence embeddings, exported vs original graph: max diff {diff:E2}");
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
