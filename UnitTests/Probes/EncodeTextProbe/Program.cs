using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt;
using MLNetExt.Transforms;

// Usage: EncodeTextProbe <model cache folder> <work folder>
// Fits, transforms, saves and loads an EncodeText pipeline, checks the loaded model answers identically, then lists
// every managed assembly and native library the process has loaded ("assembly: NAME", "native: PATH").
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: EncodeTextProbe <model cache folder> <work folder>");
    return 2;
}

var mlContext = new MLContext(seed: 1);
EncoderModel model = PretrainedEncoders.Load("all-MiniLM-L6-v2", new PretrainedEncoderOptions { CacheDirectory = args[0] });
IDataView data = mlContext.Data.LoadFromEnumerable(new[]
{
    new ProbeRow { Text = "A man is playing a guitar." },
    new ProbeRow { Text = "The encoder needs no training runtime." },
});

ITransformer fitted = mlContext.Transforms.Text.EncodeText("Embedding", "Text", model).Fit(data);
float[][] before = Read(fitted.Transform(data));
string path = Path.Combine(args[1], "probe-model.zip");
mlContext.Model.SaveWithEncoders(fitted, data.Schema, path);
ITransformer loaded = mlContext.Model.LoadWithEncoders(path, out _);
float[][] after = Read(loaded.Transform(data));
bool identical = before.Length == after.Length && before.Zip(after).All(p => p.First.AsSpan().SequenceEqual(p.Second));
Console.WriteLine($"rows: {before.Length}, dimensions: {before[0].Length}, identical after load: {identical}");

foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().OrderBy(a => a.GetName().Name))
    Console.WriteLine($"assembly: {assembly.GetName().Name}");
foreach (string library in NativeLibraries())
    Console.WriteLine($"native: {library}");
return identical ? 0 : 1;

static float[][] Read(IDataView view)
{
    var rows = new List<float[]>();
    DataViewSchema.Column column = view.Schema["Embedding"];
    using DataViewRowCursor cursor = view.GetRowCursor([column]);
    ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(column);
    VBuffer<float> value = default;
    while (cursor.MoveNext())
    {
        getter(ref value);
        rows.Add(value.DenseValues().ToArray());
    }
    return [.. rows];
}

// Shared objects mapped into this process (Linux); elsewhere the managed list has to do.
static IEnumerable<string> NativeLibraries()
{
    const string maps = "/proc/self/maps";
    if (!File.Exists(maps))
        return [];
    return File.ReadLines(maps)
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(fields => fields.Length >= 6 && fields[5].Contains(".so", StringComparison.Ordinal))
        .Select(fields => fields[5])
        .Distinct()
        .Order();
}

internal sealed class ProbeRow
{
    public string Text { get; set; } = "";
}
