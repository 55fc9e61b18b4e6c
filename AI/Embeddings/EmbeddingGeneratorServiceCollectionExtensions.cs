using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using MLNetExt.AI;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>
/// Registers an <see cref="EncoderEmbeddingGenerator"/> as the application's
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings to <see cref="Embedding{T}"/> of floats.
/// </summary>
/// <remarks>
/// The generator is a singleton: it is made on first use and shared by every consumer (it is thread-safe), and the
/// container disposes it (ending its ONNX Runtime session) when the container itself is disposed.
/// </remarks>
public static class EmbeddingGeneratorServiceCollectionExtensions
{
    /// <summary>Registers a generator over <paramref name="model"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="model">The encoder, e.g. <c>PretrainedEncoders.Load("minilm")</c>.</param>
    /// <param name="options">Generator settings; defaults when null.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddEncoderEmbeddingGenerator(this IServiceCollection services, EncoderModel model,
        EncoderEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return services.AddEncoderEmbeddingGenerator(_ => EncoderEmbeddingGenerator.Create(model, options));
    }

    /// <summary>Registers the generator that <paramref name="factory"/> makes (over a pipeline, with encoder settings...).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="factory">Makes the generator on first use.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddEncoderEmbeddingGenerator(this IServiceCollection services,
        Func<IServiceProvider, EncoderEmbeddingGenerator> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(factory);
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(p => p.GetRequiredService<EncoderEmbeddingGenerator>());
        return services;
    }

    /// <summary>Registers a generator over <paramref name="model"/> under <paramref name="serviceKey"/> (several models in one app).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key consumers ask for (<c>[FromKeyedServices(key)]</c>).</param>
    /// <param name="model">The encoder.</param>
    /// <param name="options">Generator settings; defaults when null.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddKeyedEncoderEmbeddingGenerator(this IServiceCollection services, object? serviceKey,
        EncoderModel model, EncoderEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(model);
        services.AddKeyedSingleton(serviceKey, (_, _) => EncoderEmbeddingGenerator.Create(model, options));
        services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>(serviceKey,
            (p, key) => p.GetRequiredKeyedService<EncoderEmbeddingGenerator>(key));
        return services;
    }
}
