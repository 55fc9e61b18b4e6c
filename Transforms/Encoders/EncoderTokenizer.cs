using System.Text;
using Microsoft.ML.Tokenizers;

namespace MLNetExt.Transforms;

/// <summary>
/// The one tokenizer path of MLNetExt: text (or a text pair) into an encoder's word-piece ids with Microsoft.ML.Tokenizers'
/// <see cref="BertTokenizer"/> (configured by <see cref="EncoderModel.CreateTokenizer"/>), <c>[CLS]</c> and <c>[SEP]</c>
/// added, cut at the maximum token count. <c>EncodeText</c>, the fine-tuning trainers (training and serving) and
/// every later component tokenise through it, so training and serving see the same ids.
/// </summary>
/// <remarks>
/// Truncation follows sentence-transformers and Hugging Face's <c>longest_first</c>: word pieces past the limit are
/// dropped; a pair loses tokens one at a time from its longer side, the second text when both are equally long.
/// The prefix (e.g. a query prefix) goes before the first text only.
/// </remarks>
public sealed class EncoderTokenizer
{
    private static readonly char[] s_whitespace = [' ', '\t', '\n', '\r'];

    // Past this many characters per allowed token a text is certainly cut; tokenizing all of it would be wasted work.
    private const int CharsPerTokenBound = 32;

    private readonly BertTokenizer _tokenizer;
    private readonly string[] _pieces;

    private EncoderTokenizer(BertTokenizer tokenizer, string[] pieces, int maxTokens, string prefix)
    {
        _tokenizer = tokenizer;
        _pieces = pieces;
        MaxTokens = maxTokens;
        Prefix = prefix;
    }

    /// <summary>Word pieces per row, <c>[CLS]</c>/<c>[SEP]</c> included, beyond which text is cut.</summary>
    public int MaxTokens { get; }

    /// <summary>Text put before the first text of every row; empty for none.</summary>
    public string Prefix { get; }

    /// <summary>Id of <c>[CLS]</c>.</summary>
    public int ClassificationTokenId => _tokenizer.ClassificationTokenId;

    /// <summary>Id of <c>[SEP]</c>.</summary>
    public int SeparatorTokenId => _tokenizer.SeparatorTokenId;

    /// <summary>Id of <c>[MASK]</c> (span masking in self-supervised training).</summary>
    public int MaskTokenId => _tokenizer.MaskingTokenId;

    /// <summary>Id of <c>[PAD]</c>.</summary>
    public int PaddingTokenId => _tokenizer.PaddingTokenId;

    /// <summary>Id of <c>[UNK]</c>.</summary>
    public int UnknownTokenId => _tokenizer.UnknownTokenId;

    /// <summary>
    /// A tokenizer for <paramref name="model"/>'s vocabulary and casing.
    /// </summary>
    /// <param name="model">The encoder.</param>
    /// <param name="maxTokens">Word pieces per row, special tokens included; null for the model's own
    /// (<see cref="EncoderConfig.MaxTokens"/>, at most its <see cref="EncoderConfig.MaxPositionEmbeddings"/>).</param>
    /// <param name="prefix">Text put before the first text of every row; null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is below 3 or above the model's position table.</exception>
    /// <exception cref="InvalidDataException">The vocabulary is not a usable WordPiece vocabulary.</exception>
    public static EncoderTokenizer Create(EncoderModel model, int? maxTokens = null, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        int tokens = model.Config.ResolveMaxTokens(maxTokens, nameof(maxTokens));
        string[] pieces = Encoding.UTF8.GetString(model.ReadVocabularyText()).Split('\n').Select(p => p.TrimEnd('\r')).ToArray();
        return new EncoderTokenizer(model.CreateTokenizer(), pieces, tokens, prefix ?? "");
    }

    /// <summary>Number of word pieces in the vocabulary file.</summary>
    internal int PieceCount => _pieces.Length;

    /// <summary>The word piece of an id (for the word-pieces output).</summary>
    public string Piece(int id) => (uint)id < (uint)_pieces.Length ? _pieces[id] : _tokenizer.UnknownToken;

    /// <summary><c>[CLS] text [SEP]</c>, cut to <see cref="MaxTokens"/>.</summary>
    public TokenizedText Tokenize(ReadOnlySpan<char> text)
    {
        List<int> ids = Pieces(text, MaxTokens - 2, out bool truncated);
        int[] result = new int[ids.Count + 2];
        result[0] = ClassificationTokenId;
        ids.CopyTo(result, 1);
        result[^1] = SeparatorTokenId;
        return new TokenizedText(result, result.Length, truncated);
    }

    /// <summary><c>[CLS] text [SEP] pair [SEP]</c>, cut to <see cref="MaxTokens"/> from the longer side first.</summary>
    public TokenizedText Tokenize(ReadOnlySpan<char> text, ReadOnlySpan<char> pair)
    {
        int budget = MaxTokens - 3;
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
        result[0] = ClassificationTokenId;
        a.CopyTo(0, result, 1, na);
        result[na + 1] = SeparatorTokenId;
        b.CopyTo(0, result, na + 2, nb);
        result[^1] = SeparatorTokenId;
        return new TokenizedText(result, na + 2, truncated);
    }

    /// <summary>
    /// <c>[CLS] words [SEP]</c> (<see cref="TokenizeWords"/>) with each word's first word piece recorded in
    /// <see cref="TokenizedText.Words"/>, for token classification: word pieces past <see cref="MaxTokens"/> are cut,
    /// and a word whose first piece is cut counts as dropped.
    /// </summary>
    public TokenizedText AlignWords(IReadOnlyList<string> words)
    {
        WordPieceTokens row = TokenizeWords(words);
        var firstPieces = new int[words.Count];
        Array.Fill(firstPieces, -1);
        int last = -1;
        for (int t = row.WordOfToken.Length - 1; t >= 0; t--)
        {
            int w = row.WordOfToken[t];
            if (w >= 0)
            {
                firstPieces[w] = t;
                last = Math.Max(last, w);
            }
        }
        int dropped = row.Tokens.Truncated ? words.Count - 1 - last : 0;
        return row.Tokens with { Words = new WordAlignment(words, firstPieces, dropped) };
    }

    /// <summary>The words of a text split at whitespace (see <see cref="SplitWords"/>), aligned by <see cref="AlignWords(IReadOnlyList{string})"/>.</summary>
    public TokenizedText AlignWords(ReadOnlySpan<char> text) => AlignWords(SplitWords(text));

    /// <summary>The words of a text: its runs of non-whitespace characters (how token classification reads a sentence column).</summary>
    public static string[] SplitWords(ReadOnlySpan<char> text) =>
        text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>One row of text (<paramref name="pair"/> null) or a pair.</summary>
    public TokenizedText Tokenize(string? text, string? pair) =>
        pair is null ? Tokenize((text ?? "").AsSpan()) : Tokenize((text ?? "").AsSpan(), pair.AsSpan());

    /// <summary>
    /// A row made of already split words (a text's words, and a pair's second text's words), with the word each piece
    /// came from: the same ids as <see cref="Tokenize(string?, string?)"/> on the text when the words are what
    /// <see cref="BertBasicPreTokenizer"/> splits it into, cut the same way (longest first).
    /// </summary>
    /// <param name="words">The words of the (first) text.</param>
    /// <param name="pairWords">The words of the second text of a pair, or null for a single text.</param>
    /// <param name="masked">Words (indexed as in the returned map) that become one <c>[MASK]</c> token each; none when null.</param>
    /// <returns>The row, and per token the index of its word (the second text's words counted after the first's), -1 for
    /// <c>[CLS]</c>, <c>[SEP]</c> and the prefix.</returns>
    public WordPieceTokens TokenizeWords(IReadOnlyList<string> words, IReadOnlyList<string>? pairWords = null, Func<int, bool>? masked = null)
    {
        ArgumentNullException.ThrowIfNull(words);
        IEnumerable<(int Id, int Word)> Word(string word, int index) =>
            masked is not null && masked(index) ? [(MaskTokenId, index)] : Encode(word).Select(id => (id, index));
        var first = new List<(int Id, int Word)>();
        if (Prefix.Length > 0)
            first.AddRange(Encode(Prefix).Select(id => (id, -1)));
        for (int w = 0; w < words.Count; w++)
            first.AddRange(Word(words[w], w));
        var second = new List<(int Id, int Word)>();
        for (int w = 0; pairWords is not null && w < pairWords.Count; w++)
            second.AddRange(Word(pairWords[w], words.Count + w));
        int budget = MaxTokens - (pairWords is null ? 2 : 3);
        int na = first.Count, nb = second.Count;
        bool truncated = na + nb > budget;
        while (na + nb > budget)
        {
            if (pairWords is null || na > nb)
                na--;
            else
                nb--;
        }
        var ids = new List<int>(na + nb + 3) { ClassificationTokenId };
        var wordOf = new List<int>(na + nb + 3) { -1 };
        foreach ((int id, int word) in first.Take(na))
        {
            ids.Add(id);
            wordOf.Add(word);
        }
        ids.Add(SeparatorTokenId);
        wordOf.Add(-1);
        if (pairWords is not null)
        {
            foreach ((int id, int word) in second.Take(nb))
            {
                ids.Add(id);
                wordOf.Add(word);
            }
            ids.Add(SeparatorTokenId);
            wordOf.Add(-1);
        }
        return new WordPieceTokens(new TokenizedText([.. ids], na + 2, truncated), [.. wordOf]);
    }

    /// <summary>Word-piece ids of the (prefixed) text without special tokens, at most <paramref name="limit"/> of them.</summary>
    private List<int> Pieces(ReadOnlySpan<char> text, int limit, out bool truncated, bool prefixed = true)
    {
        string input = !prefixed || Prefix.Length == 0 ? text.ToString() : string.Concat(Prefix, text);
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
