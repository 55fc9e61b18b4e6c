using System.Text;
using Microsoft.ML.Tokenizers;

namespace MLNetExt.Transforms;

/// <summary>One row's word-piece ids, <c>[CLS]</c> and <c>[SEP]</c> included.</summary>
internal readonly record struct TokenizedText(int[] Ids, int FirstSegmentLength, bool Truncated)
{
    public int Length => Ids.Length;
}

/// <summary>
/// Turns text (or a text pair) into the model's word-piece ids with Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/>,
/// cutting at the maximum token count the way sentence-transformers does (word pieces past the limit are dropped;
/// pairs lose tokens from the longer side first).
/// </summary>
internal sealed class WordPieceInputs
{
    private static readonly char[] s_whitespace = [' ', '\t', '\n', '\r'];

    // Past this many characters per allowed token a text is certainly cut; tokenizing all of it would be wasted work.
    private const int CharsPerTokenBound = 32;

    private readonly BertTokenizer _tokenizer;
    private readonly string[] _pieces;
    private readonly int _maxTokens;
    private readonly string _prefix;

    public WordPieceInputs(EncoderModel model, int maxTokens, string prefix)
    {
        _tokenizer = model.CreateTokenizer();
        _pieces = Encoding.UTF8.GetString(model.ReadVocabularyText()).Split('\n').Select(p => p.TrimEnd('\r')).ToArray();
        _maxTokens = maxTokens;
        _prefix = prefix;
    }

    /// <summary>The word piece of an id (for the word-pieces output).</summary>
    public string Piece(int id) => (uint)id < (uint)_pieces.Length ? _pieces[id] : _tokenizer.UnknownToken;

    public int ClsId => _tokenizer.ClassificationTokenId;

    public int SepId => _tokenizer.SeparatorTokenId;

    public TokenizedText Tokenize(ReadOnlySpan<char> text)
    {
        List<int> ids = Pieces(text, _maxTokens - 2, out bool truncated);
        int[] result = new int[ids.Count + 2];
        result[0] = ClsId;
        ids.CopyTo(result, 1);
        result[^1] = SepId;
        return new TokenizedText(result, result.Length, truncated);
    }

    public TokenizedText Tokenize(ReadOnlySpan<char> text, ReadOnlySpan<char> pair)
    {
        int budget = _maxTokens - 3;
        List<int> a = Pieces(text, budget, out bool cutA);
        List<int> b = Pieces(pair, budget, out bool cutB, prefixed: false);
        int na = a.Count, nb = b.Count;
        bool truncated = cutA || cutB || na + nb > budget;
        while (na + nb > budget)
        {
            if (na > nb)
                na--;
            else
                nb--;
        }
        int[] result = new int[na + nb + 3];
        result[0] = ClsId;
        a.CopyTo(0, result, 1, na);
        result[na + 1] = SepId;
        b.CopyTo(0, result, na + 2, nb);
        result[^1] = SepId;
        return new TokenizedText(result, na + 2, truncated);
    }

    /// <summary>Word-piece ids of the (prefixed) text without special tokens, at most <paramref name="limit"/> of them.</summary>
    private List<int> Pieces(ReadOnlySpan<char> text, int limit, out bool truncated, bool prefixed = true)
    {
        string input = !prefixed || _prefix.Length == 0 ? text.ToString() : string.Concat(_prefix, text);
        int bound = Math.Max(limit, 1) * CharsPerTokenBound;
        if (input.Length > bound)
        {
            // Tokenize a whitespace-cut head first; it is exact when it already yields enough pieces.
            int cut = input.LastIndexOfAny(s_whitespace, bound);
            if (cut > 0)
            {
                List<int> head = Encode(input.AsSpan(0, cut));
                if (head.Count >= limit)
                    return Cut(head, limit, out truncated);
            }
        }
        return Cut(Encode(input), limit, out truncated);
    }

    private List<int> Encode(ReadOnlySpan<char> text) =>
        text.IsEmpty ? new List<int>() : new List<int>(_tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true));

    private static List<int> Cut(List<int> ids, int limit, out bool truncated)
    {
        truncated = ids.Count > limit;
        if (truncated)
            ids.RemoveRange(limit, ids.Count - limit);
        return ids;
    }
}
