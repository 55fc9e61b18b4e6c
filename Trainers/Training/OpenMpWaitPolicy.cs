using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNetExt.Trainers.Training;

/// <summary>
/// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> in the native environment before libtorch (and its libgomp) loads, unless the
/// user has set it. libgomp's default lets idle worker threads spin; on a busy or shared CPU the spinning threads
/// compete with the working ones, and we measured a MiniLM training step with 2 threads at 3-5x the time of 1 thread
/// (load average 12 on 2 cores); with the passive policy 2 threads were faster than 1 again.
/// It also sets <c>MKL_CBWR=AUTO,STRICT</c> (unless set): libtorch's CPU GEMMs come from MKL, whose results may differ
/// in the last bit with the memory alignment of the operands unless its conditional numerical reproducibility mode is
/// on; a training run resumed from a checkpoint in a new process then drifted from the uninterrupted run by one ulp in
/// some weights (seen in about 1 of 4 runs of the process-kill test; none in 5 with the setting).
/// </summary>
/// <remarks>
/// .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the C runtime's
/// environment on Unix, so the variable is set with libc's <c>setenv</c>; libgomp reads it when it is loaded.
/// </remarks>
internal static class OpenMpWaitPolicy
{
#pragma warning disable CA2255 // Must run before any TorchSharp call loads libgomp; the work is one setenv.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return;
        try
        {
            _ = SetEnv("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
            _ = SetEnv("MKL_CBWR", "AUTO,STRICT", overwrite: 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not fatal: training only runs slower on a busy machine.
        }
    }

    // Both strings are marshalled explicitly as UTF-8; CA2101 does not see the parameter attributes.
#pragma warning disable CA2101
    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
#pragma warning restore CA2101
}
