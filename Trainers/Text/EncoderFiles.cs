using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Text;

/// <summary>The bytes a trainer needs from an <see cref="EncoderModel"/>: its ONNX graph and WordPiece vocabulary.</summary>
/// <param name="Onnx">The ONNX graph.</param>
/// <param name="Vocabulary">The <c>vocab.txt</c> file.</param>
/// <param name="Pooling">The sentence pooling the encoder was trained with.</param>
/// <param name="LowerCase">Whether the vocabulary is uncased.</param>
/// <param name="Name">The model's name, for messages.</param>
public sealed record EncoderFiles(byte[] Onnx, byte[] Vocabulary, PoolingMode Pooling, bool LowerCase, string Name)
{
    /// <summary>Reads a pretrained encoder by name ("all-MiniLM-L6-v2", "minilm", "snowflake-arctic-embed-xs", ...).</summary>
    public static EncoderFiles Pretrained(string name) => From(PretrainedEncoders.Load(name));

    /// <summary>Reads a Hugging Face-layout folder (model.onnx, vocab.txt, config.json).</summary>
    public static EncoderFiles FromFolder(string directory) => From(EncoderModel.Load(directory));

    /// <summary>Reads the files of a loaded <see cref="EncoderModel"/>.</summary>
    /// <exception cref="NotSupportedException">The model's vocabulary is a tokenizer.json (only vocab.txt WordPiece is supported here).</exception>
    public static EncoderFiles From(EncoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Path.GetFileName(model.VocabularyPath).Equals("vocab.txt", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException($"Encoder '{model.Name}': training needs a vocab.txt WordPiece vocabulary, the model has '{model.VocabularyPath}'.");
        PoolingMode pooling = model.Config.Pooling == EncoderPooling.Cls ? PoolingMode.Cls : PoolingMode.Mean;
        return new EncoderFiles(model.ReadOnnxBytes(), File.ReadAllBytes(model.VocabularyPath), pooling, model.Config.LowerCase, model.Name);
    }

    /// <summary>A tokenizer for the vocabulary.</summary>
    public EncoderTokenizer CreateTokenizer(int maxTokens) => EncoderTokenizer.Create(new MemoryStream(Vocabulary), LowerCase, maxTokens);
}
