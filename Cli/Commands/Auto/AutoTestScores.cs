namespace MLNetExt.Cli.Commands.Auto;

/// <summary>Scores on a test file kept out of the sweep.</summary>
/// <param name="File">The test file.</param>
/// <param name="Rows">Its rows.</param>
/// <param name="Best">Metrics of the sweep's best model.</param>
/// <param name="Defaults">Metrics of the same pipeline with library defaults.</param>
internal sealed record AutoTestScores(string File, long Rows, Dictionary<string, double> Best, Dictionary<string, double>? Defaults);
