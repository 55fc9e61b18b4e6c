using System.Globalization;
using MLNetExt.Transforms;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Info;

/// <summary>The pretrained-encoder part of <c>mlnetext info</c>: each model, its cache folder and size.</summary>
internal static class EncoderReport
{
    public static void Write(bool noMaterialize, List<string> problems, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("encoder", "layers x hidden / heads", "max tokens", "pooling", "size");
        var folders = new List<string>();
        foreach (PretrainedEncoder encoder in PretrainedEncoders.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            EncoderConfig config = encoder.Config;
            string folder = encoder.GetCacheDirectory();
            string size;
            try
            {
                if (noMaterialize && !encoder.IsMaterialized())
                {
                    size = "not cached";
                }
                else
                {
                    EncoderModel model = encoder.Materialize();
                    folder = model.Directory ?? folder;
                    size = $"{model.SizeBytes / (1024.0 * 1024.0):F1} MiB";
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or TimeoutException)
            {
                size = "[red]unavailable[/]";
                problems.Add($"Pretrained encoder '{encoder.Name}' could not be materialised in {folder}: {ex.Message} " +
                    $"Set {PretrainedEncoders.CacheVariable} to a writable folder.");
            }
            table.AddRow(
                Markup.Escape(encoder.Name),
                string.Create(CultureInfo.InvariantCulture, $"{config.Layers} x {config.HiddenSize} / {config.Heads}"),
                config.MaxTokens.ToString(CultureInfo.InvariantCulture),
                config.Pooling + (config.Normalize ? ", L2" : ""),
                size);
            folders.Add($"  {encoder.Name}: {folder}");
        }
        AnsiConsole.MarkupLine("Pretrained encoders (offline, from NuGet packages):");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("Cache folders:");
        foreach (string line in folders)
            Console.WriteLine(line);
    }
}
