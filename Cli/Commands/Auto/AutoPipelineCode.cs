using System.Globalization;
using System.Text;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>
/// The C# source of a swept component with the configuration a trial chose: the same ML.NET (or MLNetExt) call and
/// options its <see cref="SweepableEstimator"/> builds, written out so that a person can read and change it. The
/// training notebook's test re-trains from this source and checks that it reproduces the sweep's validation figure.
/// </summary>
internal static class AutoPipelineCode
{
    /// <summary>The names of the ML.NET assemblies (besides the core ones) that <paramref name="trainer"/> needs.</summary>
    public static IEnumerable<string> TrainerAssemblies(string trainer) => trainer switch
    {
        "fasttree" => ["Microsoft.ML.FastTree"],
        "lightgbm" => ["Microsoft.ML.LightGbm"],
        _ => [],
    };

    /// <summary>An expression (over <c>mlContext</c>) of the featurizer <paramref name="name"/> configured by <paramref name="parameter"/>.</summary>
    public static string Featurizer(string name, Parameter? parameter, IReadOnlyList<string> textColumns) => name switch
    {
        "featurize-text" => FeaturizeText(parameter?.AsType<FeaturizeTextSearchOptions>(), textColumns),
        "encoder" => Encoder(parameter?.AsType<EncoderSearchOptions>(), textColumns),
        _ => throw new NotSupportedException($"No source is written for the featurizer '{name}'."),
    };

    /// <summary>An expression (over the context <paramref name="context"/>) of the trainer <paramref name="name"/> configured by <paramref name="parameter"/>.</summary>
    public static string Trainer(string name, Parameter? parameter, SweepTask task, IReadOnlyList<string> textColumns, int seed, string context) =>
        TrainerOverMLContext(name, parameter, task, textColumns, seed).Replace("mlContext.", context + ".", StringComparison.Ordinal)
            .Replace("(mlContext,", "(" + context + ",", StringComparison.Ordinal);

    private static string TrainerOverMLContext(string name, Parameter? parameter, SweepTask task, IReadOnlyList<string> textColumns, int seed)
    {
        bool classify = task == SweepTask.Classification;
        string columns = $"LabelColumnName = \"{StockTrainers.Label}\", FeatureColumnName = \"{StockTrainers.Features}\"";
        switch (name)
        {
            case "sdca":
            {
                SdcaSearchOptions? o = parameter?.AsType<SdcaSearchOptions>();
                string options = Options(classify ? "SdcaMaximumEntropyMulticlassTrainer.Options" : "SdcaRegressionTrainer.Options", columns, o is null ? [] :
                [
                    $"L2Regularization = {Float(o.L2Regularization)}",
                    $"L1Regularization = {Float(o.L1Regularization)}",
                    $"MaximumNumberOfIterations = {o.MaximumNumberOfIterations}",
                ]);
                return classify ? $"mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy({options})" : $"mlContext.Regression.Trainers.Sdca({options})";
            }
            case "lbfgs":
            {
                LbfgsSearchOptions? o = parameter?.AsType<LbfgsSearchOptions>();
                string options = Options("LbfgsMaximumEntropyMulticlassTrainer.Options", columns, o is null ? [] :
                [
                    $"L2Regularization = {Float(o.L2Regularization)}",
                    $"L1Regularization = {Float(o.L1Regularization)}",
                    $"HistorySize = {o.HistorySize}",
                ]);
                return $"mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy({options})";
            }
            case "fasttree":
            {
                BoostedTreeSearchOptions? o = parameter?.AsType<BoostedTreeSearchOptions>();
                string[] set = o is null ? [] :
                [
                    $"NumberOfTrees = {o.NumberOfTrees}",
                    $"NumberOfLeaves = {o.NumberOfLeaves}",
                    $"LearningRate = {Double(o.LearningRate)}",
                    $"MinimumExampleCountPerLeaf = {o.MinimumExampleCountPerLeaf}",
                ];
                return classify
                    ? $"mlContext.MulticlassClassification.Trainers.OneVersusAll(mlContext.BinaryClassification.Trainers.FastTree({Options("FastTreeBinaryTrainer.Options", columns, set)}), \"{StockTrainers.Label}\")"
                    : $"mlContext.Regression.Trainers.FastTree({Options("FastTreeRegressionTrainer.Options", columns, set)})";
            }
            case "lightgbm":
            {
                BoostedTreeSearchOptions? o = parameter?.AsType<BoostedTreeSearchOptions>();
                string[] set = o is null ? ["Seed = 0", "NumberOfThreads = 1"] :
                [
                    "Seed = 0",
                    "NumberOfThreads = 1",
                    $"NumberOfIterations = {o.NumberOfTrees}",
                    $"NumberOfLeaves = {o.NumberOfLeaves}",
                    $"LearningRate = {Double(o.LearningRate)}",
                    $"MinimumExampleCountPerLeaf = {o.MinimumExampleCountPerLeaf}",
                ];
                return classify
                    ? $"mlContext.MulticlassClassification.Trainers.LightGbm({Options("LightGbmMulticlassTrainer.Options", columns, set)})"
                    : $"mlContext.Regression.Trainers.LightGbm({Options("LightGbmRegressionTrainer.Options", columns, set)})";
            }
            case FineTuningTrainers.Name:
                return FineTuning(parameter?.AsType<FineTuningSearchOptions>(), task, textColumns, seed);
            case ContrastiveTrainers.CoSentName:
                return CoSent(parameter?.AsType<CoSentSearchOptions>() ?? new CoSentSearchOptions(), textColumns, seed);
            default:
                throw new NotSupportedException($"No source is written for the trainer '{name}'.");
        }
    }

    private static string FeaturizeText(FeaturizeTextSearchOptions? o, IReadOnlyList<string> textColumns)
    {
        string inputs = string.Join(", ", textColumns.Select(Literal));
        if (o is null)
            return $"mlContext.Transforms.Text.FeaturizeText(\"{StockTrainers.Features}\", new TextFeaturizingEstimator.Options(), {inputs})";
        string chars = o.CharNgramLength > 0 ? $"new WordBagEstimator.Options {{ NgramLength = {o.CharNgramLength}, UseAllLengths = false }}" : "null";
        return $"mlContext.Transforms.Text.FeaturizeText(\"{StockTrainers.Features}\", new TextFeaturizingEstimator.Options\n" +
            "    {\n" +
            $"        WordFeatureExtractor = new WordBagEstimator.Options {{ NgramLength = {o.WordNgramLength} }},\n" +
            $"        CharFeatureExtractor = {chars},\n" +
            $"    }}, {inputs})";
    }

    // One EncodeText per text column; a pair adds the similarity features, more columns are put side by side
    // (as EncoderFeaturizer builds them).
    private static string Encoder(EncoderSearchOptions? o, IReadOnlyList<string> textColumns)
    {
        string model = Literal(o?.Encoder ?? "all-MiniLM-L6-v2");
        string[] outputs = textColumns.Count == 1 ? [StockTrainers.Features]
            : textColumns.Count == 2 ? [PairSimilarityFactory.Left, PairSimilarityFactory.Right]
            : textColumns.Select((_, i) => "Embedding" + i).ToArray();
        var sb = new StringBuilder();
        for (int i = 0; i < textColumns.Count; i++)
        {
            string[] set =
            [
                $"OutputColumnName = {Literal(outputs[i])}",
                $"InputColumnName = {Literal(textColumns[i])}",
                $"Model = PretrainedEncoders.Load({model})",
                .. o is null ? Array.Empty<string>() : [$"Pooling = EncoderPooling.{o.Pooling}", $"MaxTokens = {o.MaxTokens}"],
            ];
            string encode = $"mlContext.Transforms.Text.EncodeText(new TextEncoderOptions {{ {string.Join(", ", set)} }})";
            sb.Append(i == 0 ? encode : $"\n    .Append({encode})");
        }
        if (textColumns.Count == 2)
        {
            sb.Append("\n    .Append(mlContext.Transforms.CustomMapping(new PairSimilarityFactory().GetMapping(), PairSimilarityFactory.ContractName))");
            sb.Append($"\n    .Append(mlContext.Transforms.Concatenate(\"{StockTrainers.Features}\", PairSimilarityFactory.OutputColumn, PairSimilarityFactory.Left, PairSimilarityFactory.Right))");
        }
        else if (textColumns.Count > 2)
        {
            sb.Append($"\n    .Append(mlContext.Transforms.Concatenate(\"{StockTrainers.Features}\", {string.Join(", ", outputs.Select(Literal))}))");
        }
        return sb.ToString();
    }

    private static string FineTuning(FineTuningSearchOptions? o, SweepTask task, IReadOnlyList<string> textColumns, int seed)
    {
        var set = new List<string>
        {
            $"LabelColumnName = \"{StockTrainers.Label}\"",
            $"SentenceColumnName = {Literal(textColumns[0])}",
            $"SecondSentenceColumnName = {(textColumns.Count > 1 ? Literal(textColumns[1]) : "null")}",
            "ScoreColumnName = \"Score\"",
            "PredictedLabelColumnName = \"PredictedLabel\"",
        };
        var training = new List<string> { $"Seed = {seed}" };
        if (o is not null)
        {
            set.Add($"MaxTokens = Math.Min({o.MaxTokens}, PretrainedEncoders.MiniLM.Config.MaxPositionEmbeddings)");
            set.Add($"FreezeEncoder = {(o.FreezeEncoder ? "true" : "false")}");
            set.Add($"Pooling = EncoderPooling.{o.Pooling}");
            training.AddRange(
            [
                $"LearningRate = {Double(o.LearningRate)}",
                $"Epochs = {o.Epochs}",
                $"BatchSize = {o.BatchSize}",
                $"WarmupFraction = {Double(o.WarmupFraction)}",
                $"WeightDecay = {Double(o.WeightDecay)}",
            ]);
        }
        set.Add($"Training = new TrainingOptions {{ {string.Join(", ", training)} }}");
        string options = "new EncoderFineTuningOptions\n    {\n" + string.Concat(set.Select(s => $"        {s},\n")) + "    }";
        return task == SweepTask.Classification
            ? $"mlContext.MulticlassClassification.Trainers.EncoderTextClassification({options})"
            : $"mlContext.Regression.Trainers.EncoderSentenceSimilarity({options})";
    }

    // As ContrastiveTrainers.CoSent builds it: CoSENT training of all-MiniLM-L6-v2, scored by the trained encoder's cosine.
    private static string CoSent(CoSentSearchOptions o, IReadOnlyList<string> textColumns, int seed) =>
        "new CoSentPairTrainer(mlContext, new SentenceEncoderTrainingOptions\n    {\n" +
        $"        TextColumnNames = [{string.Join(", ", textColumns.Select(Literal))}],\n" +
        $"        TargetColumnName = \"{StockTrainers.Label}\",\n" +
        $"        MaxTokens = Math.Min({o.MaxTokens}, PretrainedEncoders.MiniLM.Config.MaxPositionEmbeddings),\n" +
        $"        Training = new TrainingOptions {{ LearningRate = {Double(o.LearningRate)}, Epochs = {o.Epochs}, BatchSize = {o.BatchSize}, " +
        $"WarmupFraction = {Double(o.WarmupFraction)}, Seed = {seed} }},\n" +
        "    })";

    private static string Options(string type, string columns, IReadOnlyList<string> set) =>
        set.Count == 0 ? $"new {type} {{ {columns} }}"
        : $"new {type}\n    {{\n        {columns},\n" + string.Concat(set.Select(s => $"        {s},\n")) + "    }";

    // The float the factory casts to, written so that it parses back to the same bits.
    private static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

    private static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A C# string literal.</summary>
    public static string Literal(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
