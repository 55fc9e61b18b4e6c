using MLNetExt.Evaluation.Multimodal;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.CrossModal;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers.Contrastive;

[TestClass]
public sealed class CrossModalAlignerTests
{
    [TestMethod]
    public void InconsistentChannelWidths_AreRefusedNamingSampleAndChannel()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MultiChannelFeatures(["fou", "mor"], [3, 2], [[[1, 2, 3], [1, 2]], [[1, 2, 3], [1, 2, 3]]]));
        StringAssert.Contains(error.Message, "Sample 1, channel 'mor': 3 values, expected 2");
        var none = Assert.ThrowsExactly<ArgumentException>(() => new MultiChannelFeatures(["fou"], [1], [[null]]));
        StringAssert.Contains(none.Message, "Sample 0 has no channel");
    }

    [TestMethod]
    public void BothModes_LearnDigitsFromMultipleFeatures()
    {
        MultipleFeaturesDataset data = MultipleFeaturesReader.Read(SharedData.Require("mfeat"));
        Assert.AreEqual(2000, data.Samples.Count);
        CollectionAssert.AreEqual(new[] { 76, 216, 64, 240, 47, 6 }, data.ChannelWidths.ToArray());
        // Every fifth digit of the first 60 of each class trains, the last 20 of each class test: seconds, not minutes.
        int[] train = Enumerable.Range(0, 2000).Where(i => i % 200 < 60).ToArray();
        int[] test = Enumerable.Range(0, 2000).Where(i => i % 200 >= 180).ToArray();
        var all = new MultiChannelFeatures(data.ChannelNames, data.ChannelWidths, data.Samples.Select(s => s.Select(v => (float[]?)v).ToArray()).ToArray());
        // A stand-in text tower: one fixed random vector per caption (the alignment only sees embeddings).
        var random = new Random(3);
        float[][] captionVectors = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, 24).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToArray();
        foreach (CrossModalMode mode in new[] { CrossModalMode.ChannelEncoder, CrossModalMode.LinearMap })
        {
            CrossModalTrainingResult trained = CrossModalAligner.Train(all.Subset(train), train.Select(i => MultipleFeaturesDataset.Caption(data.Digits[i])).ToArray(),
                train.Select(i => captionVectors[data.Digits[i]]).ToArray(), new CrossModalAlignmentOptions { Mode = mode, Epochs = 4, JointWidth = 32, ChannelWidth = 32 });
            using CrossModalModel model = trained.Model;
            CrossModalEvaluationResult result = CrossModalEvaluation.Evaluate(model, all.Subset(test), test.Select(i => data.Digits[i]).ToArray(), captionVectors);
            Assert.IsTrue(result.FeatureToCaptionAccuracy > 0.6, $"{mode}: accuracy {result.FeatureToCaptionAccuracy:P1} (chance 10%)");
            Assert.IsTrue(result.TextToFeaturesPrecisionAt10 > 0.5, $"{mode}: precision@10 {result.TextToFeaturesPrecisionAt10:P1}");
            Assert.AreEqual(6, result.AccuracyWithoutChannel.Count);
        }
    }
}
