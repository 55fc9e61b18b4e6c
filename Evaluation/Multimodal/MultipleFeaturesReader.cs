using System.Globalization;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Evaluation.Multimodal;

/// <summary>UCI Multiple Features: 2,000 handwritten digits, each described by six feature sets (channels).</summary>
/// <param name="ChannelNames">The feature sets, e.g. <c>fou</c> (76 Fourier coefficients), <c>pix</c> (240 pixel averages).</param>
/// <param name="ChannelWidths">Values per feature set.</param>
/// <param name="Samples">Per digit, one vector per feature set.</param>
/// <param name="Digits">The digit (0-9) of each sample.</param>
public sealed record MultipleFeaturesDataset(IReadOnlyList<string> ChannelNames, IReadOnlyList<int> ChannelWidths, IReadOnlyList<float[][]> Samples, IReadOnlyList<int> Digits)
{
    /// <summary>The caption of a digit class, e.g. "a handwritten digit seven".</summary>
    public static string Caption(int digit) =>
        "a handwritten digit " + new[] { "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine" }[digit];
}

/// <summary>Reads the <c>mfeat</c> folder (<c>mfeat-fou</c>, <c>-fac</c>, <c>-kar</c>, <c>-pix</c>, <c>-zer</c>, <c>-mor</c> and <c>labels.tsv</c>).</summary>
public static class MultipleFeaturesReader
{
    /// <summary>The six feature sets in the order read.</summary>
    public static IReadOnlyList<string> Channels { get; } = ["fou", "fac", "kar", "pix", "zer", "mor"];

    /// <summary>Reads the folder.</summary>
    /// <exception cref="DataFileException">A line has another number of values than the file's first line, a value is not a number, or the files disagree in row count.</exception>
    public static MultipleFeaturesDataset Read(string folder)
    {
        var channels = new List<float[][]>();
        foreach (string name in Channels)
        {
            string path = Path.Combine(folder, "mfeat-" + name);
            var rows = new List<float[]>();
            foreach ((int number, string text) in LineReader.ReadLines(path))
            {
                string[] fields = LineReader.SplitWhitespace(text);
                if (fields.Length == 0)
                    continue;
                if (rows.Count > 0 && fields.Length != rows[0].Length)
                    throw new DataFileException(path, number, 0, $"expected {rows[0].Length} values (as on the first line), got {fields.Length}.");
                var values = new float[fields.Length];
                for (int j = 0; j < fields.Length; j++)
                    if (!float.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out values[j]))
                        throw new DataFileException(path, number, j + 1, $"expected a number, got '{fields[j]}'.");
                rows.Add(values);
            }
            if (channels.Count > 0 && rows.Count != channels[0].Length)
                throw new DataFileException(path, 0, 0, $"{rows.Count} rows, but mfeat-{Channels[0]} has {channels[0].Length}.");
            channels.Add([.. rows]);
        }

        string labels = Path.Combine(folder, "labels.tsv");
        var digits = new int[channels[0].Length];
        int seen = 0;
        foreach ((int number, string text) in LineReader.ReadLines(labels).Skip(1))
        {
            string[] fields = LineReader.SplitTabs(text);
            if (fields.Length < 2 || !int.TryParse(fields[0], out int row) || !int.TryParse(fields[1], out int digit) || row < 0 || row >= digits.Length || digit is < 0 or > 9)
                throw new DataFileException(labels, number, 0, $"expected 'row<TAB>digit' with row 0..{digits.Length - 1} and digit 0..9, got '{text}'.");
            digits[row] = digit;
            seen++;
        }
        if (seen != digits.Length)
            throw new DataFileException(labels, 0, 0, $"{seen} labels for {digits.Length} samples.");
        float[][][] samples = Enumerable.Range(0, digits.Length).Select(i => channels.Select(c => c[i]).ToArray()).ToArray();
        return new MultipleFeaturesDataset(Channels, channels.Select(c => c[0].Length).ToArray(), samples, digits);
    }
}
