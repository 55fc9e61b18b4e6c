namespace MLNetExt.Estimators.Compression;

/// <summary>Which same-run speed ratio the compression sweep's constraint reads.</summary>
public enum CompressionSpeedMeasure
{
    /// <summary>Texts per CPU-second of the process: the work done, steady when other processes share the machine.</summary>
    Cpu,

    /// <summary>Texts per wall-clock second: what a user waits for, on a machine of one's own.</summary>
    Wall,
}
