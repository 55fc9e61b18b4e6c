using MLNetExt.Evaluation.Metrics;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class MetricsTests
{
    private const double Tol = 1e-12;

    [TestMethod]
    public void AccuracyF1AndMcc_MatchHandComputedValues()
    {
        int[] gold = [1, 1, 0, 0, 1, 0];
        int[] pred = [1, 0, 0, 0, 1, 1]; // TP 2, TN 2, FP 1, FN 1
        Assert.AreEqual(4.0 / 6, ClassificationMetrics.Accuracy(gold, pred), Tol);
        Assert.AreEqual(4.0 / 6, ClassificationMetrics.F1(gold, pred), Tol);          // 2TP / (2TP + FP + FN)
        Assert.AreEqual(3.0 / 9, ClassificationMetrics.MatthewsCorrelation(gold, pred), Tol); // (4 - 1) / sqrt(3^4)
        Assert.AreEqual(1.0, ClassificationMetrics.MatthewsCorrelation(gold, gold), Tol);
        Assert.AreEqual(0.0, ClassificationMetrics.MatthewsCorrelation(gold, [1, 1, 1, 1, 1, 1])); // constant prediction
    }

    [TestMethod]
    public void Mcc_MulticlassAgreesWithTheConfusionMatrixFormula()
    {
        // Confusion (rows gold, cols predicted) = [[2,0,0],[1,0,1],[0,2,0]]: t = [2,2,2], p = [3,2,1], c = 2, s = 6.
        int[] gold = [0, 0, 1, 1, 2, 2];
        int[] pred = [0, 0, 0, 2, 1, 1];
        double expected = (2.0 * 6 - (2 * 3 + 2 * 2 + 2 * 1)) / Math.Sqrt((36.0 - (9 + 4 + 1)) * (36.0 - 12));
        Assert.AreEqual(expected, ClassificationMetrics.MatthewsCorrelation(gold, pred), Tol);
    }

    [TestMethod]
    public void Spearman_UsesAverageRanksForTies()
    {
        CollectionAssert.AreEqual(new[] { 1.0, 2.5, 2.5, 4.0 }, Correlation.AverageRanks([1, 2, 2, 3]));
        // Pearson of ranks [1,2.5,2.5,4] and [1,3,2,4] = 4.5 / sqrt(4.5 * 5) (scipy.stats.spearmanr gives 0.9486832980505138).
        Assert.AreEqual(4.5 / Math.Sqrt(4.5 * 5), Correlation.Spearman([1, 2, 2, 3], [1, 3, 2, 4]), Tol);
    }

    [TestMethod]
    public void Pearson_MatchesHandComputedValue()
    {
        // x = 1,2,3 and y = 2,4,7: sxy = 5, sxx = 2, syy = 114/9.
        Assert.AreEqual(5 / Math.Sqrt(2 * 114.0 / 9), Correlation.Pearson([1, 2, 3], [2, 4, 7]), Tol);
        Assert.IsTrue(double.IsNaN(Correlation.Pearson([1, 1, 1], [1, 2, 3])));
        Assert.ThrowsExactly<ArgumentException>(() => Correlation.Pearson([1, 2], [1]));
    }
}
