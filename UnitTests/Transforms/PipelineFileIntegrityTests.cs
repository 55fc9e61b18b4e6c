using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>Entry hashes in the pipeline file: damage is refused with the file named; files without hashes still load.</summary>
[TestClass]
public sealed class PipelineFileIntegrityTests
{
    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "encoder-pipeline-v1.zip");

    [TestMethod]
    public void EveryDamagedFileIsRefusedNamingItOrLoadsBitIdentical()
    {
        string output = ProbeProgram.RunChecked("pipeline-file-fuzz", "20261128", "12");
        StringAssert.Contains(output, " bad=0");
    }

    [TestMethod]
    public void SavedFileRecordsAHashOfEveryEntry()
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.LoadWithEncoders(FixturePath, out DataViewSchema schema);
        using var stream = new MemoryStream();
        ml.Model.SaveWithEncoders(model, schema, stream);
        model.DisposeEncoders();
        using var zip = new ZipArchive(new MemoryStream(stream.ToArray()), ZipArchiveMode.Read);
        using var manifestStream = zip.GetEntry("manifest.json")!.Open();
        JsonObject hashes = JsonNode.Parse(manifestStream)!["Sha256"]!.AsObject();
        CollectionAssert.AreEquivalent(zip.Entries.Select(e => e.FullName).Where(n => n != "manifest.json").ToArray(),
            hashes.Select(h => h.Key).ToArray());
        Assert.IsTrue(hashes.All(h => h.Value!.GetValue<string>().Length == 64));
    }

    [TestMethod]
    public void FileWithoutHashesLoadsAndSaysItWasNotChecked()
    {
        var ml = new MLContext();
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (log)
                log.Add(e.Message);
        };
        ml.Model.LoadWithEncoders(FixturePath, out _).DisposeEncoders();
        Assert.IsTrue(log.Any(m => m.Contains(FixturePath) && m.Contains("without an integrity check")), string.Join("\n", log.Take(20)));
    }

    [TestMethod]
    public void DamagedSchemaEntryOfAnUncheckedFileNamesTheFileAndTheEntry()
    {
        using var folder = new TempFolder("mlnetext-integrity");
        string path = folder.Combine("old-damaged.zip");
        File.Copy(FixturePath, path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            ZipArchiveEntry schema = zip.GetEntry("input-schema.mlnet")!;
            byte[] bytes;
            using (var reader = schema.Open())
            using (var buffer = new MemoryStream())
            {
                reader.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            schema.Delete();
            Array.Fill(bytes, (byte)0x5A, bytes.Length / 3, bytes.Length / 3);
            using var writer = zip.CreateEntry("input-schema.mlnet").Open();
            writer.Write(bytes);
        }
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().Model.LoadWithEncoders(path, out _));
        StringAssert.Contains(ex.Message, path);
        StringAssert.Contains(ex.Message, "input-schema.mlnet");
    }
}
