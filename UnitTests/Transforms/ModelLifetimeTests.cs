using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>
/// A loaded model shared by threads the way services share it, ended by its owner while in use, and cancelled. The
/// threaded cases run in a child process (<see cref="LifetimeProbes"/>): a native crash there fails the test.
/// </summary>
[TestClass]
public sealed class ModelLifetimeTests
{
    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "encoder-pipeline-v1.zip");

    [TestMethod]
    public void EightThreadsWithAnEngineEachFromDefaultOptionsAnswerExactly()
    {
        string output = ProbeProgram.RunChecked("engines-per-thread", "8", "500");
        StringAssert.Contains(output, "exact=4000 wrong=0 sequential-engines-exact=3");
    }

    [TestMethod]
    public void DisposingTheModelWhileThreadsPredictNeverCrashesAndNeverAnswersWrongly()
    {
        string output = ProbeProgram.RunChecked("dispose-while-predicting", "5", "8");
        StringAssert.Contains(output, "wrong=0 disposed=40 failures=0");
    }

    [TestMethod]
    public void EndedModelThrowsObjectDisposedExceptionNamingTheTransformerOnEveryCall()
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.LoadWithEncoders(FixturePath, out _);
        IDataView data = Texts(ml, "the film is good.");
        IDataView madeBefore = model.Transform(data, CancellationToken.None);
        var encoder = model.DisposeEncoders() == 1 ? (TextEncoderTransformer)EncoderParts(model).Single() : null;
        Assert.IsNotNull(encoder);
        Assert.IsTrue(encoder.IsDisposed);
        Assert.AreEqual(0, model.DisposeEncoders(), "ending it twice does nothing");

        foreach (Action call in new Action[]
        {
            () => model.Transform(data),
            () => model.GetOutputSchema(data.Schema),
            () => ml.Model.CreatePredictionEngine<TextRow, LifetimeProbes.Prediction>(model),
            () => madeBefore.GetColumn<float[]>("Features").ToArray(),
            () => model.Transform(data, CancellationToken.None),
        })
        {
            var ex = Assert.ThrowsExactly<ObjectDisposedException>(call);
            Assert.AreEqual(nameof(TextEncoderTransformer), ex.ObjectName);
        }
    }

    [TestMethod]
    public void DisposingEnginesOrTheChainLeavesTheModelToItsOwner()
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.LoadWithEncoders(FixturePath, out _);
        IDataView data = Texts(ml, "a dull, bad film");
        float[] before = model.Transform(data).GetColumn<float[]>("Features").Single();
        using (var engine = ml.Model.CreatePredictionEngine<TextRow, LifetimeProbes.Prediction>(model))
            CollectionAssert.AreEqual(before, engine.Predict(new TextRow { Text = "a dull, bad film" }).Features);
        ((IDisposable)model).Dispose();   // what an owning PredictionEngine does to its pipeline
        CollectionAssert.AreEqual(before, model.Transform(data).GetColumn<float[]>("Features").Single());
        Assert.AreEqual(1, model.DisposeEncoders());
    }

    [TestMethod]
    public void PoolPredictsFromManyThreadsAndLeavesTheModelAlive()
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.LoadWithEncoders(FixturePath, out _);
        string[] texts = ["the film is good.", "moving", "a man is playing the guitar.", ""];
        float[][] expected = model.Transform(Texts(ml, texts)).GetColumn<float[]>("Features").ToArray();
        using (var pool = new EncoderPredictionEnginePool<TextRow, LifetimeProbes.Prediction>(ml, model, maximumRetained: 2))
        {
            Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
                CollectionAssert.AreEqual(expected[i % texts.Length], pool.Predict(new TextRow { Text = texts[i % texts.Length] }).Features));
        }
        CollectionAssert.AreEqual(expected[0], model.Transform(Texts(ml, texts[0])).GetColumn<float[]>("Features").Single(), "the pool leaves the model alive");
        model.DisposeEncoders();
    }

    [TestMethod]
    public void CancellingALoadedChainThrowsOperationCanceledException()
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.LoadWithEncoders(FixturePath, out _);
        IDataView data = Texts(ml, Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? "the film is good." : "moving").ToArray());
        using var cancellation = new CancellationTokenSource();
        IDataView view = model.Transform(data, cancellation.Token);
        Assert.HasCount(100, view.GetColumn<float[]>("Features").ToArray());
        cancellation.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => view.GetColumn<float[]>("Features").ToArray());
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Data.CreateEnumerable<LifetimeProbes.Prediction>(view, reuseRowObject: false).ToList());
        model.DisposeEncoders();
    }

    private sealed class LabelledText
    {
        public string Text { get; set; } = "";

        public float Label { get; set; }
    }

    [TestMethod]
    public void CancellingALoadedChainUnderAStockTrainerGivesTheOperationCanceledExceptionAsInnerException()
    {
        var ml = new MLContext(seed: 1);
        ITransformer model = ml.Model.LoadWithEncoders(FixturePath, out _);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(i => new LabelledText { Text = i % 2 == 0 ? "the film is good." : "a dull, bad film", Label = i % 2 }));
        using var cancellation = new CancellationTokenSource();
        IDataView view = model.Transform(data, cancellation.Token);
        var trainer = ml.Regression.Trainers.Sdca("Label", "Features", maximumNumberOfIterations: 2);
        trainer.Fit(view);   // runs while the token is live
        cancellation.Cancel();
        // SDCA shuffles its input on a reader thread of its own and wraps what that thread throws: out of our reach.
        var ex = Assert.Throws<Exception>(() => trainer.Fit(view));
        Assert.IsTrue(ex is OperationCanceledException || ex.InnerException is OperationCanceledException, ex.ToString());
        model.DisposeEncoders();
    }

    private static IEnumerable<ITransformer> EncoderParts(ITransformer model) =>
        ((IEnumerable<ITransformer>)model).OfType<IOwnedTransformer>();
}
