using MLNetExt.Transforms.IO;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class AtomicFileTests
{
    [TestMethod]
    public void StreamWriteReplacesTheFileAndAFailedOneLeavesTheOldFileAndNoTemporary()
    {
        using var temp = new TempFiles();
        string path = Path.Combine(temp.Folder, "sub", "model.bin");
        AtomicFile.WriteStream(path, s => s.Write([1, 2, 3]));
        AtomicFile.WriteStream(path, s => s.Write([4, 5]));
        CollectionAssert.AreEqual(new byte[] { 4, 5 }, File.ReadAllBytes(path));

        Assert.ThrowsExactly<IOException>(() => AtomicFile.WriteStream(path, s =>
        {
            s.Write([9, 9, 9, 9]);
            throw new IOException("disk full");
        }));
        CollectionAssert.AreEqual(new byte[] { 4, 5 }, File.ReadAllBytes(path), "the previous file is untouched");
        CollectionAssert.AreEqual(new[] { "model.bin" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void TextAndPathVariantsWriteThroughTheSameRoute()
    {
        using var temp = new TempFiles();
        string path = Path.Combine(temp.Folder, "report.json");
        AtomicFile.WriteAllText(path, "{ \"é\": 1 }");
        CollectionAssert.AreEqual(System.Text.Encoding.UTF8.GetBytes("{ \"é\": 1 }"), File.ReadAllBytes(path), "UTF-8 without BOM");
        AtomicFile.Write(path, file => File.WriteAllText(file, "replaced"));
        Assert.AreEqual("replaced", File.ReadAllText(path));
        Assert.HasCount(1, Directory.GetFiles(temp.Folder));
    }

    [TestMethod]
    public void DirectoryWriteReplacesTheFolderAndAFailedOneLeavesTheOldFolder()
    {
        using var temp = new TempFiles();
        string path = Path.Combine(temp.Folder, "step-00000004");
        AtomicFile.WriteDirectory(path, folder => File.WriteAllText(Path.Combine(folder, "a.txt"), "first"));
        AtomicFile.WriteDirectory(path + Path.DirectorySeparatorChar, folder =>
        {
            Directory.CreateDirectory(Path.Combine(folder, "nested"));
            File.WriteAllText(Path.Combine(folder, "nested", "b.txt"), "second");
        });
        Assert.IsFalse(File.Exists(Path.Combine(path, "a.txt")), "the old folder is replaced, not merged");
        Assert.AreEqual("second", File.ReadAllText(Path.Combine(path, "nested", "b.txt")));

        Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.WriteDirectory(path, folder =>
        {
            File.WriteAllText(Path.Combine(folder, "c.txt"), "half");
            throw new InvalidOperationException("killed");
        }));
        Assert.AreEqual("second", File.ReadAllText(Path.Combine(path, "nested", "b.txt")));
        CollectionAssert.AreEqual(new[] { "step-00000004" }, Directory.GetDirectories(temp.Folder).Select(Path.GetFileName).ToArray());
    }
}
