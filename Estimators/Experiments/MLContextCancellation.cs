using System.Reflection;
using Microsoft.ML;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// Stops the training running in an <see cref="MLContext"/>. ML.NET has the switch (<c>ICancelable.CancelExecution</c>,
/// which makes the context's next progress check throw) but keeps the interface internal, so it is reached by
/// reflection; without it a cancelled trial runs to its end instead.
/// </summary>
internal static class MLContextCancellation
{
    private static readonly MethodInfo? CancelExecution = typeof(MLContext).GetInterfaces()
        .FirstOrDefault(i => i.Name == "ICancelable")?.GetMethod("CancelExecution");

    /// <summary>Cancels <paramref name="mlContext"/> when <paramref name="token"/> fires.</summary>
    public static CancellationTokenRegistration CancelOn(this MLContext mlContext, CancellationToken token) =>
        CancelExecution is null ? default : token.Register(() => CancelExecution.Invoke(mlContext, null));
}
