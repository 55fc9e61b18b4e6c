using System.Reflection;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms;

/// <summary>
/// The <see cref="IHostEnvironment"/> (the <c>MLContext</c>) behind an ML.NET catalog.
/// </summary>
/// <remarks>
/// Every ML.NET catalog carries its environment through the internal interface <c>IInternalCatalog</c>, which
/// assemblies outside ML.NET cannot name; a catalog extension method needs it for logging, cancellation and GPU
/// settings, so this reads it by reflection and fails with a message naming the ML.NET version if it moves.
/// </remarks>
internal static class CatalogEnvironment
{
    public static IHostEnvironment Get(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        Type? contract = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog");
        PropertyInfo? property = contract?.GetProperty("Environment", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
        if (property?.GetValue(catalog) is IHostEnvironment environment)
            return environment;
        throw new MissingMemberException(
            $"ML.NET {typeof(IHostEnvironment).Assembly.GetName().Version} catalog {catalog.GetType().Name} does not expose " +
            "IInternalCatalog.Environment, which MLNetExt uses; use the Microsoft.ML version named in Directory.Packages.props.");
    }
}
