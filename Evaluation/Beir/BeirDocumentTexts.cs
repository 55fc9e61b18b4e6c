namespace MLNetExt.Evaluation.Beir;

/// <summary>The texts a retriever encodes for a corpus, built on demand so that no second copy of the corpus is held.</summary>
internal sealed class BeirDocumentTexts(IReadOnlyList<BeirDocument> corpus, string prefix, bool includeTitle) : IReadOnlyList<string>
{
    public string this[int index] => prefix + (includeTitle ? corpus[index].TitleAndText : corpus[index].Text);

    public int Count => corpus.Count;

    public IEnumerator<string> GetEnumerator()
    {
        for (int i = 0; i < corpus.Count; i++)
            yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
