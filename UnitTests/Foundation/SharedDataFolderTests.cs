using MLNetExt.Repository;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class SharedDataFolderTests
{
    [TestMethod]
    public void FindsSharedDataAboveTheStartFolder_AndSaysWhereItLookedWhenAbsent()
    {
        // The variable wins over the search; setting it here would change what every other test reads, so skip instead.
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SharedDataFolder.EnvironmentVariable)))
            Assert.Inconclusive($"{SharedDataFolder.EnvironmentVariable} is set, so the upward search is not used.");

        using var tmp = new TempFiles();
        tmp.Write("shared/data/stsb/dev.tsv", "header");
        string deep = Directory.CreateDirectory(Path.Combine(tmp.Folder, "repo", "UnitTests", "bin")).FullName;
        string sibling = Directory.CreateDirectory(Path.Combine(tmp.Folder, "repo", "Samples")).FullName;
        string expected = Path.Combine(tmp.Folder, "shared", "data");

        Assert.AreEqual(expected, SharedDataFolder.Find(deep));
        Assert.AreEqual(expected, SharedDataFolder.Require("/", deep), "each start folder is searched in turn");
        string? fromRoot = SharedDataFolder.Find("/");
        if (fromRoot is null)
        {
            var error = Assert.ThrowsExactly<DirectoryNotFoundException>(() => SharedDataFolder.Require("/"));
            StringAssert.Contains(error.Message, "'/'");
            StringAssert.Contains(error.Message, SharedDataFolder.EnvironmentVariable);
        }
        Assert.AreEqual(expected, SharedDataFolder.Find(sibling));
    }
}
