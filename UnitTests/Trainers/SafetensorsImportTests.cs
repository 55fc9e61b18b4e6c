using MLNetExt.Trainers.Modules;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class SafetensorsImportTests
{
    [TestMethod]
    public void HuggingFaceFolderWithBertPrefixLoadsTheSameWeights()
    {
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-safetensors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            torch.manual_seed(9);
            using var original = new BertModel(TinyFineTuning.Config);
            var state = original.named_parameters().ToDictionary(p => "bert." + p.name, p => (Tensor)p.parameter.detach().clone());
            state["cls.predictions.bias"] = zeros(5); // a head the importer must ignore
            Safetensors.SaveStateDict(Path.Combine(folder, "model.safetensors"), state);
            File.WriteAllText(Path.Combine(folder, "config.json"), original.Config.ToJson());

            using BertModel loaded = SafetensorsBertImporter.Load(folder);
            CollectionAssert.AreEqual(TinyFineTuning.Parameters(original), TinyFineTuning.Parameters(loaded));
            File.Delete(Path.Combine(folder, "model.safetensors"));
            Assert.ThrowsExactly<FileNotFoundException>(() => SafetensorsBertImporter.Load(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
