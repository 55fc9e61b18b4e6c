using MLNetExt.Samples;

// Runs one sample by name: dotnet run --project Samples -- <name>. Without a name, lists them.
var samples = new Dictionary<string, Action>(StringComparer.OrdinalIgnoreCase)
{
    ["encode"] = TextEncoderSample.Example,
    ["ranking"] = RankingMetricsSample.Example,
    ["tuner"] = TunerSample.Example,
};

if (args.Length == 0 || !samples.TryGetValue(args[0], out Action? sample))
{
    Console.WriteLine($"usage: dotnet run --project Samples -- <{string.Join("|", samples.Keys)}>");
    return args.Length == 0 ? 0 : 1;
}
sample();
return 0;
