using System.Text.RegularExpressions;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Cli;

/// <summary>
/// Every verb's <c>--help</c> prints: walks the command tree from the root's COMMANDS list, so a verb added later is
/// covered too. Option descriptions are Spectre.Console markup, where an unescaped <c>[...]</c> breaks the page.
/// </summary>
[TestClass]
public sealed partial class HelpTextTests
{
    [GeneratedRegex(@"^ {4}([a-z][a-z0-9-]*)(?: |$)")]
    private static partial Regex CommandLine();

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiStyle();

    private static IEnumerable<string> SubCommands(string help)
    {
        bool inCommands = false;
        foreach (string line in AnsiStyle().Replace(help, "").Split('\n'))
        {
            if (line.StartsWith("COMMANDS:", StringComparison.Ordinal))
            {
                inCommands = true;
                continue;
            }
            if (!inCommands)
                continue;
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
                break;
            Match match = CommandLine().Match(line);
            if (match.Success)
                yield return match.Groups[1].Value;
        }
    }

    [TestMethod]
    public void EveryVerbPrintsItsHelp()
    {
        var pending = new Queue<string[]>();
        pending.Enqueue([]);
        var visited = new List<string>();
        string rootHelp = "";
        while (pending.Count > 0)
        {
            string[] path = pending.Dequeue();
            CliResult result = CliRunner.RunCaptured([.. path, "--help"]);
            string name = path.Length == 0 ? "mlnetext" : string.Join(' ', path);
            Assert.AreEqual(0, result.Code, $"{name} --help: {result.Error}");
            Assert.AreEqual("", result.Error.Trim(), $"{name} --help wrote to standard error");
            StringAssert.Contains(result.Output, "USAGE:", $"{name} --help");
            visited.Add(name);
            if (path.Length == 0)
                rootHelp = result.Output;
            foreach (string sub in SubCommands(result.Output))
                pending.Enqueue([.. path, sub]);
        }
        // The walk really descended: the root, its branches and their verbs.
        CollectionAssert.Contains(visited, "train embed", rootHelp);
        CollectionAssert.Contains(visited, "bench train");
        Assert.IsGreaterThan(20, visited.Count, string.Join(", ", visited));
    }
}
