using System.Globalization;
using Microsoft.ML;
using MLNetExt.Estimators.Compression;

namespace MLNetExt.Samples;

/// <summary>
/// The compression search (<c>AutoCompressEncoder</c>, the library side of <c>mlnetext auto compress</c>): the sweep
/// experiment tries layers kept {all, half} x {fp32, int8} on all-MiniLM-L6-v2 and keeps the best STS-B dev Spearman whose
/// texts per CPU-second, timed against the original in the same trial, are at least twice the original's. The half-depth
/// student is distilled once on unlabelled STS-B train sentences and shared by its fp32 and int8 trials.
/// Run: <c>dotnet run --project Samples -c Release -- autocompress [data-folder] [texts]</c>.
/// </summary>
/// <remarks>
/// Prints (the figures of full runs are in BENCHMARKS.md, "Compression search", with their commands), e.g.:
/// <code>
/// 4 configurations, at least 2x the original per CPU-second; original STS-B dev 86.72
/// trial 0: 3 of 6 layers, int8          3.2x per CPU-s  STS 85.3  feasible
/// trial 1: all layers and heads, int8   2.0x per CPU-s  STS 86.6  feasible
/// ...
/// chosen: trial 1 (all layers and heads, int8), STS 86.6 at 2.0x -> .../model
/// </code>
/// </remarks>
public static class CompressionSweepSample
{
    /// <summary>Searches compressed versions of all-MiniLM-L6-v2; returns the sweep's trials and choice.</summary>
    /// <param name="dataFolder">The folder holding <c>stsb/train.tsv</c> and <c>stsb/dev.tsv</c>.</param>
    /// <param name="distillTexts">Unlabelled STS-B train sentences the student learns from.</param>
    /// <param name="stsPairs">STS-B dev pairs that score each trial (0: all 1,500).</param>
    /// <param name="speedRows">STS-B dev sentences timed per trial, original and candidate alternating.</param>
    /// <param name="outputFolder">Trials, checkpoint, report and chosen model (running again resumes); default a new temporary folder.</param>
    public static CompressionSweepResult Example(string dataFolder, int distillTexts = 1000, int stsPairs = 0, int speedRows = 256, string? outputFolder = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(distillTexts, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(stsPairs);
        string output = outputFolder ?? Path.Combine(Path.GetTempPath(), $"mlnetext-autocompress-{Guid.NewGuid():N}");
        Directory.CreateDirectory(output);
        string sts = Path.Combine(dataFolder, "stsb", "dev.tsv");
        if (stsPairs > 0)
        {
            // A smaller quality set for a quick run: the header and the first pairs of STS-B dev.
            string capped = Path.Combine(output, $"stsb-dev-first-{stsPairs}.tsv");
            File.WriteAllLines(capped, File.ReadLines(sts).Take(stsPairs + 1));
            sts = capped;
        }

        var mlContext = new MLContext(seed: 0);
        CompressionSweepResult result = mlContext.Transforms.Text.AutoCompressEncoder(new CompressionSweepOptions
        {
            Encoder = "all-MiniLM-L6-v2", StsPath = sts, OutputFolder = output,
            Layers = [6, 3], HeadsKept = [1], MinSpeedup = 2, SpeedMeasure = CompressionSpeedMeasure.Cpu, TimeSeconds = 3600,
            DistillTextPaths = [Path.Combine(dataFolder, "stsb", "train.tsv")], MaxDistillTexts = distillTexts, MaxTokens = 64,
            SpeedRows = speedRows, SpeedRounds = 2, Threads = 2,
        });

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.SearchSpaceSize} configurations, at least {result.MinSpeedup}x the original per CPU-second; original STS-B dev {result.OriginalQuality:0.00}"));
        foreach (CompressionTrial trial in result.Trials)
            Console.WriteLine(trial.Error is not null ? $"trial {trial.TrialId}: {trial.Description,-30} failed: {trial.Error}" : string.Create(CultureInfo.InvariantCulture,
                $"trial {trial.TrialId}: {trial.Description,-30} {trial.SpeedupCpu:0.0}x per CPU-s  STS {trial.Quality:0.0}  {(trial.Feasible ? "feasible" : "too slow")}"));
        Console.WriteLine(result.Chosen is { } chosen
            ? string.Create(CultureInfo.InvariantCulture, $"chosen: trial {chosen.TrialId} ({chosen.Description}), STS {chosen.Quality:0.0} at {chosen.ConstrainedSpeedup:0.0}x -> {result.ModelPath}")
            : $"nothing chosen: {result.Message}");
        return result;
    }
}
