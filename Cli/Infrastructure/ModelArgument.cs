using MLNetExt.Transforms;

namespace MLNetExt.Cli.Infrastructure;

/// <summary>Turns a <c>--model</c> argument into an encoder: a pretrained name or alias, else a model folder.</summary>
internal static class ModelArgument
{
    public static EncoderModel Resolve(string nameOrDirectory)
    {
        if (Directory.Exists(nameOrDirectory))
            return EncoderModel.Load(nameOrDirectory);
        return PretrainedEncoders.Load(nameOrDirectory);
    }
}
