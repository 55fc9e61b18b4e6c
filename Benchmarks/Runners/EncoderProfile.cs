namespace MLNetExt.Benchmarks.Runners;

/// <summary>Where an encoder graph's time goes (<see cref="EncoderProfiler.Profile"/>): ONNX Runtime kernel time per operator type.</summary>
/// <param name="KernelMicrosecondsByOperator">Kernel time summed per operator type over the profiled runs (the warm-up run left out), largest first.</param>
/// <param name="SecondsPerBatch">Wall time of one profiled run.</param>
/// <param name="RowsPerSecond">Rows per second over the profiled runs.</param>
/// <param name="Rows">Rows per batch.</param>
/// <param name="Tokens">Tokens per row.</param>
/// <param name="Runs">Profiled runs.</param>
/// <param name="Threads">ONNX Runtime intra-op threads.</param>
public sealed record EncoderProfile(
    IReadOnlyList<KeyValuePair<string, long>> KernelMicrosecondsByOperator, double SecondsPerBatch, double RowsPerSecond, int Rows, int Tokens, int Runs, int Threads)
{
    /// <summary>Each operator type's share (0-1) of the total kernel time, largest first.</summary>
    public IEnumerable<(string Operator, double Share)> Shares()
    {
        double total = Math.Max(1, KernelMicrosecondsByOperator.Sum(p => p.Value));
        return KernelMicrosecondsByOperator.Select(p => (p.Key, p.Value / total));
    }
}
