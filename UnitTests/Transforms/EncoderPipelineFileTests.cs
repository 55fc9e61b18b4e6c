using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>The pipeline file's format across versions, and what loading says about parts it cannot read.</summary>
[TestClass]
public sealed class EncoderPipelineFileTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private sealed record Expected(string[] Texts, float[][] Embedding, float[][] Features);

    /// <summary>
    /// Fixtures/encoder-pipeline-v1.zip was written by the code at commit a965a3e (before extension parts existed):
    /// a tiny random text encoder (18-token vocabulary, hidden size 8) followed by NormalizeMinMax, with the outputs
    /// it gave then in encoder-pipeline-v1.expected.json.
    /// </summary>
    [TestMethod]
    public void VersionOneFileStillLoadsAndGivesTheOutputsItWasSavedWith()
    {
        var expected = JsonSerializer.Deserialize<Expected>(File.ReadAllText(Fixture("encoder-pipeline-v1.expected.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var ml = new MLContext();
        ITransformer loaded = ml.Model.LoadWithEncoders(Fixture("encoder-pipeline-v1.zip"), out DataViewSchema schema);
        Assert.AreEqual("Text", schema.Single().Name);

        IDataView output = loaded.Transform(Texts(ml, expected.Texts));
        AssertClose(expected.Embedding, ReadVectors(output, "Embedding"), "Embedding");
        AssertClose(expected.Features, ReadVectors(output, "Features"), "Features");

        // Saved again with no extension part inside, the file stays version 1 for older readers.
        using var resaved = new MemoryStream();
        ml.Model.SaveWithEncoders(loaded, schema, resaved);
        Assert.AreEqual(1, ReadManifest(resaved)["Version"]!.GetValue<int>());
    }

    private static void AssertClose(float[][] expected, List<float[]> actual, string column)
    {
        Assert.HasCount(expected.Length, actual);
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.HasCount(expected[r].Length, actual[r]);
            for (int i = 0; i < expected[r].Length; i++)
                Assert.AreEqual(expected[r][i], actual[r][i], 1e-5, $"{column}, row {r}, slot {i}");
        }
    }

    [TestMethod]
    public void ExtensionPartWhoseTypeCannotBeFoundOrIsNoPartIsRefusedByName()
    {
        var ml = new MLContext();
        foreach ((string type, string message) in new[]
        {
            ("MLNetExt.Nowhere.MissingPart, MLNetExt.Nowhere", "Reference the MLNetExt.Nowhere package"),
            ("System.Text.StringBuilder, System.Private.CoreLib", "which is not an IPipelinePart"),
        })
        {
            using var file = new MemoryStream();
            using (var source = File.OpenRead(Fixture("encoder-pipeline-v1.zip")))
                source.CopyTo(file);
            JsonObject manifest = ReadManifest(file);
            manifest["Version"] = 2;
            manifest["Parts"]![0] = new JsonObject { ["Kind"] = "extension", ["Entry"] = "part-0/", ["Type"] = type };
            using (var zip = new ZipArchive(file, ZipArchiveMode.Update, leaveOpen: true))
            {
                zip.GetEntry("manifest.json")!.Delete();
                using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
                writer.Write(manifest.ToJsonString());
            }
            file.Position = 0;
            var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadWithEncoders(file, out _));
            StringAssert.Contains(error.Message, type);
            StringAssert.Contains(error.Message, message);
        }
    }

    private static JsonObject ReadManifest(Stream file)
    {
        file.Position = 0;
        using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        using Stream entry = zip.GetEntry("manifest.json")!.Open();
        JsonObject manifest = JsonNode.Parse(entry)!.AsObject();
        file.Position = 0;
        return manifest;
    }
}
