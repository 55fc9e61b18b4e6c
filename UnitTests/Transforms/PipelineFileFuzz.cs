using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>
/// The fuzz probe run in a child process by <see cref="PipelineFileIntegrityTests"/>: the v1 fixture saved again (so
/// its manifest records entry hashes), then damaged in many ways with a fixed seed: single-bit flips inside every
/// entry's data and in the zip's own headers, truncations, and edited manifests or archives. Each case must either be
/// refused with an <see cref="InvalidDataException"/> naming the file, or load and give bit-identical outputs.
/// </summary>
internal static class PipelineFileFuzz
{
    private static readonly string[] s_texts = ["the film is good.", "a dull, bad film", "a man is playing the guitar.", "moving", ""];

    /// <summary>Arguments: seed, flips per entry.</summary>
    public static int Run(string[] args)
    {
        int seed = int.Parse(args[0]), flipsPerEntry = int.Parse(args[1]);
        var random = new Random(seed);
        var ml = new MLContext(seed: 1);
        byte[] good = Resave(ml);
        float[][] reference = Outputs(ml, Load(ml, good, out _));

        var cases = new List<(string Name, byte[] Bytes)>();
        var (entries, headers) = Layout(good);
        foreach (var (name, start, length) in entries)
        {
            for (int i = 0; i < flipsPerEntry && length > 0; i++)
                cases.Add(($"flip in {name}", Flip(good, start + random.Next(length), random)));
        }
        foreach (var (name, start, length) in headers)
        {
            for (int i = 0; i < 4; i++)
                cases.Add(($"flip in the zip header of {name}", Flip(good, start + random.Next(length), random)));
        }
        for (int i = 0; i < 40; i++)
            cases.Add(("flip anywhere", Flip(good, random.Next(good.Length), random)));
        foreach (int length in new[] { 0, 1, 22, good.Length / 2, good.Length - 1, good.Length - 22 }.Concat(Enumerable.Range(0, 10).Select(_ => random.Next(good.Length))))
            cases.Add(($"truncated to {length} bytes", good[..length]));
        cases.AddRange(EditedArchives(good));

        int refused = 0, identical = 0;
        var bad = new List<string>();
        string folder = Path.Combine(Path.GetTempPath(), $"mlnetext-fuzz-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string path = Path.Combine(folder, "damaged-pipeline.zip");
            foreach (var (name, bytes) in cases)
            {
                File.WriteAllBytes(path, bytes);
                ITransformer model;
                try
                {
                    model = ml.Model.LoadWithEncoders(path, out _);
                }
                catch (InvalidDataException ex) when (ex.Message.Contains(path, StringComparison.Ordinal))
                {
                    refused++;
                    continue;
                }
                catch (Exception ex)
                {
                    bad.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
                    continue;
                }
                float[][] outputs = Outputs(ml, model);
                model.DisposeEncoders();
                if (outputs.Length == reference.Length && outputs.Zip(reference).All(p => p.First.AsSpan().SequenceEqual(p.Second)))
                    identical++;
                else
                    bad.Add($"{name}: loaded and gave different outputs");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine($"cases={cases.Count} refused={refused} identical={identical} bad={bad.Count}");
        foreach (string line in bad.Take(10))
            Console.WriteLine(line);
        return bad.Count == 0 && refused > 0 ? 0 : 3;
    }

    private static byte[] Resave(MLContext ml)
    {
        ITransformer fixture = ml.Model.LoadWithEncoders(Path.Combine(AppContext.BaseDirectory, "Fixtures", "encoder-pipeline-v1.zip"), out var schema);
        using var stream = new MemoryStream();
        ml.Model.SaveWithEncoders(fixture, schema, stream);
        fixture.DisposeEncoders();
        return stream.ToArray();
    }

    private static ITransformer Load(MLContext ml, byte[] bytes, out DataViewSchema schema) =>
        ml.Model.LoadWithEncoders(new MemoryStream(bytes, writable: false), out schema);

    private static float[][] Outputs(MLContext ml, ITransformer model) =>
        model.Transform(Texts(ml, s_texts)).GetColumn<float[]>("Features").ToArray();

    private static byte[] Flip(byte[] bytes, int offset, Random random)
    {
        byte[] copy = (byte[])bytes.Clone();
        copy[offset] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    /// <summary>Where each entry's data and each entry's two zip headers lie in the file (from the central directory).</summary>
    private static (List<(string, int, int)> Data, List<(string, int, int)> Headers) Layout(byte[] zip)
    {
        var data = new List<(string, int, int)>();
        var headers = new List<(string, int, int)>();
        int end = zip.Length - 22;
        while (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end)) != 0x06054b50)
            end--;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10));
        int record = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        for (int i = 0; i < count; i++)
        {
            int compressed = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(record + 20));
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(record + 28));
            int extra = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(record + 30));
            int comment = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(record + 32));
            int local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(record + 42));
            string name = System.Text.Encoding.UTF8.GetString(zip, record + 46, nameLength);
            int localHeader = 30 + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 28));
            data.Add((name, local + localHeader, compressed));
            headers.Add((name, local, localHeader));
            headers.Add(($"{name} (central directory)", record, 46 + nameLength + extra + comment));
            record += 46 + nameLength + extra + comment;
        }
        headers.Add(("end of central directory", end, 22));
        return (data, headers);
    }

    /// <summary>Archives whose manifest or entries were edited on purpose.</summary>
    private static IEnumerable<(string, byte[])> EditedArchives(byte[] good)
    {
        yield return ("manifest lists only the encoder", Rewrite(good, manifest =>
        {
            var parts = manifest["Parts"]!.AsArray();
            string dropped = parts[1]!["Entry"]!.GetValue<string>();
            parts.RemoveAt(1);
            manifest["Sha256"]!.AsObject().Remove(dropped);
        }));
        yield return ("manifest lists only the encoder, hash kept", Rewrite(good, manifest => manifest["Parts"]!.AsArray().RemoveAt(1)));
        yield return ("a hash removed", Rewrite(good, manifest => manifest["Sha256"]!.AsObject().Remove("part-0/vocab.txt")));
        yield return ("a hash changed", Rewrite(good, manifest => manifest["Sha256"]!["part-0/model.onnx"] = new string('0', 64)));
        yield return ("hashes swapped", Rewrite(good, manifest =>
        {
            var hashes = manifest["Sha256"]!.AsObject();
            string a = hashes["part-0/vocab.txt"]!.GetValue<string>(), b = hashes["part-0/config.json"]!.GetValue<string>();
            hashes["part-0/vocab.txt"] = b;
            hashes["part-0/config.json"] = a;
        }));
        yield return ("an entry added", Rewrite(good, _ => { }, extra: "part-0/notes.txt"));
        yield return ("an entry removed", Rewrite(good, _ => { }, drop: "part-0/vocab.txt"));
        yield return ("vocabulary cut to half its lines", Rewrite(good, _ => { }, halve: "part-0/vocab.txt"));
    }

    private static byte[] Rewrite(byte[] good, Action<JsonObject> editManifest, string? extra = null, string? drop = null, string? halve = null)
    {
        using var source = new ZipArchive(new MemoryStream(good), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (ZipArchiveEntry entry in source.Entries)
            {
                if (entry.FullName == drop)
                    continue;
                using var reader = entry.Open();
                using var buffer = new MemoryStream();
                reader.CopyTo(buffer);
                byte[] bytes = buffer.ToArray();
                if (entry.FullName == "manifest.json")
                {
                    JsonObject manifest = JsonNode.Parse(bytes)!.AsObject();
                    editManifest(manifest);
                    bytes = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());
                }
                else if (entry.FullName == halve)
                {
                    string[] lines = System.Text.Encoding.UTF8.GetString(bytes).Split('\n');
                    bytes = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines[..(lines.Length / 2)]));
                }
                using var writer = target.CreateEntry(entry.FullName).Open();
                writer.Write(bytes);
            }
            if (extra is not null)
            {
                using var writer = target.CreateEntry(extra).Open();
                writer.Write("not part of the pipeline"u8);
            }
        }
        return output.ToArray();
    }
}
