using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.UnitTests.Estimators;

[TestClass]
public sealed class SearchSpaceTests
{
    public enum Loss { Hinge, Log, Squared }

    public sealed class InnerOptions
    {
        [Range(1, 8)]
        public int Depth { get; set; } = 3;
    }

    public sealed class TrainerOptions
    {
        [Range(1e-4, 1.0, logBase: true)]
        public double LearningRate { get; set; } = 0.1;

        [Range(4, 1024, logBase: true)]
        public int NumberOfTrees { get; set; } = 4;

        [Choice]
        public Loss LossFunction { get; set; } = Loss.Log;

        [BooleanChoice]
        public bool Shuffle { get; set; }

        [NestedSearchSpace]
        public InnerOptions Inner { get; set; } = new();

        public string NotSearched { get; set; } = "kept";
    }

    private static SearchSpace Mixed() => new()
    {
        ["lr"] = new UniformDoubleOption(1e-4, 1, logBase: true, defaultValue: 0.01),
        ["x"] = new UniformDoubleOption(-5, 10),
        ["trees"] = new UniformIntOption(4, 1000, logBase: true, defaultValue: 20),
        ["k"] = new UniformIntOption(0, 3),
        ["loss"] = new ChoiceOption("hinge", "log", 2.5, true),
        ["nested"] = new SearchSpace { ["depth"] = new UniformIntOption(1, 6, defaultValue: 2) },
    };

    [TestMethod]
    public void SampleThenMapThenSampleGivesTheSameValue()
    {
        SearchSpace space = Mixed();
        Assert.AreEqual(6, space.FeatureSpaceDim);
        var random = new Random(1);
        for (int i = 0; i < 500; i++)
        {
            double[] x = Enumerable.Range(0, space.FeatureSpaceDim).Select(_ => random.NextDouble()).ToArray();
            Parameter p = space.SampleFromFeatureSpace(x);
            double[] back = space.MappingToFeatureSpace(p);
            Parameter again = space.SampleFromFeatureSpace(back);
            Assert.AreEqual(p["loss"], again["loss"]);
            Assert.AreEqual(p["trees"].AsInt(), again["trees"].AsInt());
            Assert.AreEqual(p["k"].AsInt(), again["k"].AsInt());
            Assert.AreEqual(p["nested"]["depth"].AsInt(), again["nested"]["depth"].AsInt());
            Assert.AreEqual(p["lr"].AsDouble(), again["lr"].AsDouble(), 1e-9 * p["lr"].AsDouble());
            Assert.AreEqual(p["x"].AsDouble(), again["x"].AsDouble(), 1e-9);
        }
    }

    [TestMethod]
    public void DefaultsMapToTheirValues()
    {
        Parameter p = Mixed().DefaultParameter();
        Assert.AreEqual(0.01, p["lr"].AsDouble(), 1e-12);
        Assert.AreEqual(2.5, p["x"].AsDouble(), 1e-12);
        Assert.AreEqual(20, p["trees"].AsInt());
        Assert.AreEqual("hinge", p["loss"].AsString());
        Assert.AreEqual(2, p["nested"]["depth"].AsInt());
    }

    [TestMethod]
    public void LogUniformPutsTheGeometricMidpointAtOneHalf()
    {
        var option = new UniformDoubleOption(1e-4, 1, logBase: true);
        Assert.AreEqual(1e-2, option.SampleFromFeatureSpace([0.5]).AsDouble(), 1e-12);
        Assert.AreEqual(1e-4, option.SampleFromFeatureSpace([0.0]).AsDouble(), 1e-15);
        Assert.AreEqual(1.0, option.SampleFromFeatureSpace([1.0]).AsDouble(), 1e-12);
    }

    [TestMethod]
    public void UniformIntGivesEveryValueAnEqualShare()
    {
        var option = new UniformIntOption(0, 3);
        var counts = new int[4];
        for (int i = 0; i < 4000; i++)
            counts[option.SampleFromFeatureSpace([(i + 0.5) / 4000]).AsInt()]++;
        CollectionAssert.AreEqual(new[] { 1000, 1000, 1000, 1000 }, counts);
    }

    [TestMethod]
    public void LogIntFavoursSmallValuesAndReachesBothEnds()
    {
        var option = new UniformIntOption(4, 1000, logBase: true);
        Assert.AreEqual(4, option.SampleFromFeatureSpace([0.0]).AsInt());
        Assert.AreEqual(1000, option.SampleFromFeatureSpace([1.0]).AsInt());
        int mid = option.SampleFromFeatureSpace([0.5]).AsInt();
        Assert.IsTrue(mid is > 55 and < 70, $"geometric midpoint of [4, 1001) is about 63; got {mid}");
    }

    [TestMethod]
    public void JsonRoundTripKeepsTheSpace()
    {
        SearchSpace space = Mixed();
        string json = space.ToJson();
        StringAssert.Contains(json, "\"type\": \"nest\"");
        StringAssert.Contains(json, "\"logBase\": true".Replace("logBase", "LogBase"));
        SearchSpace back = SearchSpace.FromJson(json);
        Assert.AreEqual(json, back.ToJson());
        double[] x = [0.1, 0.9, 0.33, 0.77, 0.5, 0.05];
        Assert.AreEqual(space.SampleFromFeatureSpace(x), back.SampleFromFeatureSpace(x));
        CollectionAssert.AreEqual(space.Default, back.Default);
    }

    [TestMethod]
    public void AttributesOnAnOptionsClassDefineTheSpace()
    {
        var space = new SearchSpace<TrainerOptions>();
        CollectionAssert.AreEqual(new[] { "Inner", "LearningRate", "LossFunction", "NumberOfTrees", "Shuffle" }, space.Options.Keys.ToArray());
        Assert.IsInstanceOfType<UniformIntOption>(space["NumberOfTrees"]);
        Assert.IsTrue(((UniformDoubleOption)space["LearningRate"]).LogBase);
        Assert.AreEqual(3, ((ChoiceOption)space["LossFunction"]).Choices.Length);

        TrainerOptions defaults = space.SampleOptions(space.Default);
        Assert.AreEqual(0.1, defaults.LearningRate, 1e-12);
        Assert.AreEqual(4, defaults.NumberOfTrees);
        Assert.AreEqual(Loss.Log, defaults.LossFunction);
        Assert.IsFalse(defaults.Shuffle);
        Assert.AreEqual(3, defaults.Inner.Depth);
        Assert.AreEqual("kept", defaults.NotSearched);

        TrainerOptions high = space.SampleOptions(Enumerable.Repeat(1.0, space.FeatureSpaceDim).ToArray());
        Assert.AreEqual(1024, high.NumberOfTrees);
        Assert.AreEqual(Loss.Squared, high.LossFunction);
        Assert.AreEqual(8, high.Inner.Depth);
        Assert.IsFalse(high.Shuffle);   // choices are [true, false]: the top cell is false
    }

    [TestMethod]
    public void ParameterBindsAndSerialises()
    {
        var p = Parameter.CreateNestedParameter();
        p["LearningRate"] = Parameter.FromDouble(0.5);
        p["LossFunction"] = Parameter.FromString("Hinge");
        Parameter parsed = Parameter.Parse(p.ToString());
        Assert.AreEqual(p, parsed);
        TrainerOptions bound = parsed.AsType<TrainerOptions>();
        Assert.AreEqual(0.5, bound.LearningRate);
        Assert.AreEqual(Loss.Hinge, bound.LossFunction);
        Assert.AreEqual("LearningRate=0.5 LossFunction=Hinge", p.ToDisplayString());
    }

    [TestMethod]
    public void BadDefinitionsThrowSayingWhatIsWrong()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new UniformDoubleOption(1, 1));
        StringAssert.Contains(e.Message, "[1, 1]");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new UniformDoubleOption(0, 1, logBase: true));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new UniformIntOption(0, 10, defaultValue: 11));
        Assert.ThrowsExactly<ArgumentException>(() => new ChoiceOption("a", "a"));
        var choice = new ChoiceOption("a", "b");
        var notChoice = Assert.ThrowsExactly<ArgumentException>(() => choice.MappingToFeatureSpace(Parameter.FromString("c")));
        StringAssert.Contains(notChoice.Message, "\"c\"");
        Assert.ThrowsExactly<ArgumentException>(() => Mixed().SampleFromFeatureSpace([0.5]));
        Assert.ThrowsExactly<KeyNotFoundException>(() => Mixed().DefaultParameter()["nope"]);
    }

    public sealed class DefaultOutOfRange
    {
        [Range(1, 8)]
        public int Depth { get; set; } = 9;
    }

    public sealed class DoubleDefaultOutOfRange
    {
        [Range(1e-4, 1.0, logBase: true)]
        public double LearningRate { get; set; } = 2.5;
    }

    public sealed class FractionalDefaultOfAnIntegerRange
    {
        [Range(1, 8)]
        public double Depth { get; set; } = 2.5;
    }

    public sealed class DefaultNotConvertible
    {
        [Range(0.0, 1.0)]
        public string Ratio { get; set; } = "half";
    }

    public sealed class DefaultNotAChoice
    {
        [Choice(8, 16, 32)]
        public int BatchSize { get; set; } = 12;
    }

    [TestMethod]
    public void AnOptionsClassDefaultThatDoesNotFitIsRefusedNamingTheMember()
    {
        var outOfRange = Assert.ThrowsExactly<ArgumentException>(() => new SearchSpace<DefaultOutOfRange>());
        StringAssert.Contains(outOfRange.Message, "DefaultOutOfRange.Depth is 9, outside its [Range(1, 8)]");
        var doubleOutOfRange = Assert.ThrowsExactly<ArgumentException>(() => new SearchSpace<DoubleDefaultOutOfRange>());
        StringAssert.Contains(doubleOutOfRange.Message, "DoubleDefaultOutOfRange.LearningRate is 2.5, outside");
        var fractional = Assert.ThrowsExactly<ArgumentException>(() => new SearchSpace<FractionalDefaultOfAnIntegerRange>());
        StringAssert.Contains(fractional.Message, "FractionalDefaultOfAnIntegerRange.Depth is 2.5, which is not an integer");
        var notConvertible = Assert.ThrowsExactly<ArgumentException>(() => new SearchSpace<DefaultNotConvertible>());
        StringAssert.Contains(notConvertible.Message, "DefaultNotConvertible.Ratio is 'half', which is not a number");
        var notAChoice = Assert.ThrowsExactly<ArgumentException>(() => new SearchSpace<DefaultNotAChoice>());
        StringAssert.Contains(notAChoice.Message, "DefaultNotAChoice.BatchSize is 12, which is not one of its choices (8, 16, 32)");
    }

    [TestMethod]
    public void AWholeNumberDefaultOfAnIntegerRangeIsKeptWhateverTheMemberType()
    {
        var space = new SearchSpace<IntegerRangeOnADouble>();
        Assert.AreEqual(3, space.DefaultParameter()["Depth"].AsInt());
    }

    public sealed class IntegerRangeOnADouble
    {
        [Range(1, 8)]
        public double Depth { get; set; } = 3;
    }
}
