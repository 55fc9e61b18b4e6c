using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace MLNetExt.Transforms;

/// <summary>
/// Thread-safe single-row prediction over one fitted or loaded pipeline: a pool of <c>PredictionEngine</c>s (each
/// used by one thread at a time) sharing the model, in the spirit of Microsoft.Extensions.ML's
/// <c>PredictionEnginePool</c>. This is the way to serve a model from many threads (a web API, a worker).
/// </summary>
/// <typeparam name="TInput">The input row class.</typeparam>
/// <typeparam name="TOutput">The prediction class.</typeparam>
/// <remarks>
/// <para>Engines are created on demand with <c>OwnsTransformer = false</c>, so neither returning nor disposing them
/// touches the model; up to <c>maximumRetained</c> idle engines are kept for reuse. Disposing the pool disposes the
/// idle engines and leaves the model to its owner (<c>model.DisposeEncoders()</c>). A prediction made after the
/// model's owner ended it throws <see cref="ObjectDisposedException"/>.</para>
/// <example><code>
/// using var pool = new EncoderPredictionEnginePool&lt;Review, Sentiment&gt;(mlContext, model);
/// Sentiment answer = pool.Predict(new Review { Text = "A gripping film." });   // from any thread
/// </code></example>
/// </remarks>
public sealed class EncoderPredictionEnginePool<TInput, TOutput> : IDisposable
    where TInput : class
    where TOutput : class, new()
{
    private readonly ObjectPool<PredictionEngine<TInput, TOutput>> _engines;
    private int _disposed;

    /// <summary>Creates the pool; the first engine is made (and the schema checked) now.</summary>
    /// <param name="mlContext">The context engines are created with.</param>
    /// <param name="model">The fitted or loaded pipeline; it stays owned by the caller.</param>
    /// <param name="maximumRetained">Idle engines kept for reuse; default twice the processor count.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maximumRetained"/> is not positive.</exception>
    public EncoderPredictionEnginePool(MLContext mlContext, ITransformer model, int? maximumRetained = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        int retained = maximumRetained ?? Environment.ProcessorCount * 2;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(retained, nameof(maximumRetained));
        Model = model;
        var policy = new EnginePolicy(mlContext, model);
        _engines = new DefaultObjectPoolProvider { MaximumRetained = retained }.Create(policy);
        _engines.Return(_engines.Get());
    }

    /// <summary>The shared pipeline.</summary>
    public ITransformer Model { get; }

    /// <summary>Predicts one row with an engine no other thread is using.</summary>
    /// <exception cref="ObjectDisposedException">The pool, or an MLNetExt part of the model, was disposed.</exception>
    public TOutput Predict(TInput example)
    {
        ArgumentNullException.ThrowIfNull(example);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        PredictionEngine<TInput, TOutput> engine = _engines.Get();
        try
        {
            return engine.Predict(example);
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    /// <summary>Disposes the idle engines; the model stays alive (its owner ends it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            (_engines as IDisposable)?.Dispose();
    }

    private sealed class EnginePolicy(MLContext mlContext, ITransformer model) : IPooledObjectPolicy<PredictionEngine<TInput, TOutput>>
    {
        public PredictionEngine<TInput, TOutput> Create() =>
            mlContext.Model.CreatePredictionEngine<TInput, TOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });

        public bool Return(PredictionEngine<TInput, TOutput> engine) => true;
    }
}
