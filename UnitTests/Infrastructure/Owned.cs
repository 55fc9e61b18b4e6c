using MLNetExt.Transforms;

namespace MLNetExt.UnitTests.Infrastructure;

/// <summary>
/// Ends an <see cref="IOwnedTransformer"/> at the end of a <c>using</c> scope: those transformers are not
/// <see cref="IDisposable"/> on purpose (an engine or chain must not end a shared model), so tests say who ends them.
/// </summary>
internal static class Owned
{
    public static IDisposable Ends(IOwnedTransformer transformer) => new Scope(transformer);

    private sealed class Scope(IOwnedTransformer transformer) : IDisposable
    {
        public void Dispose() => transformer.Dispose();
    }
}
