namespace MLNetExt.Evaluation.Ner;

/// <summary>
/// Entity-level measures of a token classifier: exact-span precision / recall / F1 per type, micro (all entities
/// pooled, the primary measure) and macro (unweighted mean over types), and WNUT's surface-form F1.
/// </summary>
public sealed class NerResult
{
    internal NerResult(int sentences, int words, TaggingScheme scheme, EntityDecoding decoding, IReadOnlyDictionary<string, EntityScores> perType,
        EntityScores micro, EntityScores surface, double tokenAccuracy)
    {
        Sentences = sentences;
        Words = words;
        Scheme = scheme;
        Decoding = decoding;
        PerType = perType;
        Micro = micro;
        Surface = surface;
        TokenAccuracy = tokenAccuracy;
        MacroPrecision = perType.Count == 0 ? 0 : perType.Values.Average(s => s.Precision);
        MacroRecall = perType.Count == 0 ? 0 : perType.Values.Average(s => s.Recall);
        MacroF1 = perType.Count == 0 ? 0 : perType.Values.Average(s => s.F1);
    }

    /// <summary>Sentences evaluated.</summary>
    public int Sentences { get; }

    /// <summary>Words evaluated.</summary>
    public int Words { get; }

    /// <summary>The tagging scheme of gold and predicted tags.</summary>
    public TaggingScheme Scheme { get; }

    /// <summary>How tags were turned into entities.</summary>
    public EntityDecoding Decoding { get; }

    /// <summary>Scores per entity type (every type in the gold or the predicted entities), in ordinal order of type.</summary>
    public IReadOnlyDictionary<string, EntityScores> PerType { get; }

    /// <summary>All entities pooled: the primary measure is <c>Micro.F1</c> (conlleval's and seqeval's overall F1).</summary>
    public EntityScores Micro { get; }

    /// <summary>Mean over types of the per-type precision (seqeval's macro average).</summary>
    public double MacroPrecision { get; }

    /// <summary>Mean over types of the per-type recall.</summary>
    public double MacroRecall { get; }

    /// <summary>Mean over types of the per-type F1.</summary>
    public double MacroF1 { get; }

    /// <summary>
    /// WNUT 2017's surface-form measure: distinct (type, text) pairs of the gold entities, of the predicted entities and
    /// of the exactly matched predictions, over the whole set, so that an entity counts once however often it is mentioned.
    /// </summary>
    public EntityScores Surface { get; }

    /// <summary>Fraction of words whose predicted tag equals the gold tag (conlleval's accuracy).</summary>
    public double TokenAccuracy { get; }

    /// <summary>The measures keyed by short names (f1, precision, recall, macro_f1, surface_f1, ..., f1_TYPE), for reports.</summary>
    public IReadOnlyDictionary<string, double> ByName
    {
        get
        {
            var d = new Dictionary<string, double>
            {
                ["f1"] = Micro.F1, ["precision"] = Micro.Precision, ["recall"] = Micro.Recall,
                ["macro_f1"] = MacroF1, ["macro_precision"] = MacroPrecision, ["macro_recall"] = MacroRecall,
                ["surface_f1"] = Surface.F1, ["surface_precision"] = Surface.Precision, ["surface_recall"] = Surface.Recall,
                ["token_accuracy"] = TokenAccuracy,
            };
            foreach ((string type, EntityScores s) in PerType)
                d["f1_" + type] = s.F1;
            return d;
        }
    }
}
