using MLNetExt.Transforms;

namespace MLNetExt.Cli.Infrastructure;

/// <summary>Turns a <c>--model</c> / <c>--encoder</c> argument into an encoder: a pretrained name or alias, else a model folder.</summary>
internal static class ModelArgument
{
    /// <summary>The encoder <paramref name="nameOrDirectory"/> names; a path that names no folder is bad input, said as such.</summary>
    /// <param name="nameOrDirectory">A pretrained name or alias, or a Hugging Face-layout folder.</param>
    /// <param name="option">The option that gave it, for messages.</param>
    public static EncoderModel Resolve(string nameOrDirectory, string option = "--model")
    {
        RequireFolderIfPath(nameOrDirectory, option);
        if (Directory.Exists(nameOrDirectory))
            return EncoderModel.Load(nameOrDirectory);
        return PretrainedEncoders.Load(nameOrDirectory);
    }

    /// <summary>
    /// Throws <see cref="UsageException"/> when <paramref name="nameOrDirectory"/> is written as a path (a folder
    /// separator, or starting with '.' or '~') but no such folder exists; pretrained names never look like paths.
    /// </summary>
    public static void RequireFolderIfPath(string nameOrDirectory, string option)
    {
        bool looksLikePath = nameOrDirectory.Contains('/', StringComparison.Ordinal) || nameOrDirectory.Contains('\\', StringComparison.Ordinal)
            || nameOrDirectory.StartsWith('.') || nameOrDirectory.StartsWith('~');
        if (!looksLikePath || Directory.Exists(nameOrDirectory))
            return;
        throw new UsageException(File.Exists(nameOrDirectory)
            ? $"{option} '{nameOrDirectory}' is a file; give a model folder (model.onnx, vocab.txt, config.json) or a pretrained encoder's name."
            : $"{option} '{nameOrDirectory}': the folder does not exist.");
    }
}
