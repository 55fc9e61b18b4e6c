using System.Text.RegularExpressions;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.FineTuning;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>
/// Query keywords from a fitted named-entity tagger (<c>EncoderNamedEntityRecognition</c>): the texts of the entities it
/// finds in each query, optionally of chosen types only, for <see cref="KeywordReranker"/>. Queries are split into
/// words first as CoNLL-style training data is (punctuation apart from words, hyphenated and apostrophe words kept
/// whole), so "Is vitamin D safe?" is tagged as "Is vitamin D safe ?".
/// </summary>
/// <remarks>The extractor borrows the model: dispose the model when done with both.</remarks>
public sealed partial class EntityKeywordExtractor : IQueryKeywordExtractor
{
    private readonly EncoderFineTuningTransformer _model;
    private readonly HashSet<string>? _types;

    /// <summary>Creates the extractor.</summary>
    /// <param name="model">A fitted token classifier.</param>
    /// <param name="entityTypes">Entity types to keep (e.g. "person", "location"); null or empty keeps every type.</param>
    /// <exception cref="ArgumentException">The model is not a token classifier, or a type is not one the model predicts.</exception>
    public EntityKeywordExtractor(EncoderFineTuningTransformer model, IEnumerable<string>? entityTypes = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Kind != FineTuningKind.TokenClassification)
            throw new ArgumentException($"The keyword model is a {model.Kind} model; a token classifier (EncoderNamedEntityRecognition) is needed.", nameof(model));
        _model = model;
        EntityTypes = model.Tags!.Select(t => EntityTags.TypeOf(t, model.Info.Scheme)).Where(t => t.Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        string[] wanted = entityTypes?.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToArray() ?? [];
        foreach (string type in wanted)
        {
            if (!EntityTypes.Contains(type, StringComparer.Ordinal))
                throw new ArgumentException($"Entity type '{type}' is not predicted by the keyword model; its types are {string.Join(", ", EntityTypes)}.", nameof(entityTypes));
        }
        _types = wanted.Length == 0 ? null : new HashSet<string>(wanted, StringComparer.Ordinal);
    }

    /// <summary>The entity types the model predicts.</summary>
    public IReadOnlyList<string> EntityTypes { get; }

    /// <summary>The entities found in each query (all types kept), as the tagger decoded them.</summary>
    public IReadOnlyList<EntitySpan>[] ExtractEntities(IReadOnlyList<string> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        return _model.PredictEntities(queries.Select(SplitWords).ToArray(), cancellationToken);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string>[] ExtractKeywords(IReadOnlyList<string> queries, CancellationToken cancellationToken = default) =>
        ExtractEntities(queries, cancellationToken)
            .Select(entities => (IReadOnlyList<string>)entities.Where(e => _types is null || _types.Contains(e.Type))
                .Select(e => e.Text).Distinct(StringComparer.OrdinalIgnoreCase).ToArray())
            .ToArray();

    /// <summary>The text with its words separated by single spaces, punctuation marks standing as words of their own.</summary>
    public static string SplitWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Join(' ', WordPattern().Matches(text).Select(m => m.Value));
    }

    [GeneratedRegex(@"[\p{L}\p{N}\p{M}]+(?:['’\-][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]")]
    private static partial Regex WordPattern();
}
