using MLNetExt.Transforms.IO;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MLNetExt.Transforms;

/// <summary>
/// Writes a pretrained encoder's files into its cache folder exactly once, safely under concurrency and crashes.
/// </summary>
/// <remarks>
/// Layout of a complete folder: <c>model.onnx</c>, <c>vocab.txt</c>, <c>config.json</c>, and <c>.complete.json</c>
/// (written last) = { "package": "&lt;assembly name&gt; &lt;version&gt;", "files": [ { "name", "size", "sha256" } ] }.
/// A folder is complete when the marker names the current package version, lists the current config's SHA-256, and
/// every listed file exists with its recorded size. Writers hold <c>.lock</c> open with <see cref="FileShare.None"/>
/// (an exclusive lock across processes) and write each file through <see cref="AtomicFile"/> (a temporary file, then a rename).
/// </remarks>
internal static class ModelCache
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private const string MarkerName = ".complete.json";
    private const string LockName = ".lock";
    private static readonly string[] ResourceFiles = { "model.onnx", "vocab.txt" };

    private sealed record Entry(string Name, long Size, string Sha256);

    private sealed record Marker(string Package, List<Entry> Files);

    public static bool IsComplete(PretrainedEncoder encoder, string directory)
    {
        string markerPath = Path.Combine(directory, MarkerName);
        if (!File.Exists(markerPath))
            return false;
        Marker? marker;
        try
        {
            marker = JsonSerializer.Deserialize<Marker>(File.ReadAllText(markerPath));
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return false;
        }
        if (marker?.Files is null || marker.Package != PackageIdentity(encoder))
            return false;
        string configSha = Sha256Hex(Encoding.UTF8.GetBytes(encoder.Config.ToJson()));
        if (!marker.Files.Any(f => f.Name == EncoderConfig.FileName && f.Sha256 == configSha))
            return false;
        foreach (string required in ResourceFiles.Append(EncoderConfig.FileName))
        {
            Entry? entry = marker.Files.FirstOrDefault(f => f.Name == required);
            string path = Path.Combine(directory, required);
            if (entry is null || !File.Exists(path) || new FileInfo(path).Length != entry.Size)
                return false;
        }
        return true;
    }

    public static void Materialize(PretrainedEncoder encoder, string directory, TimeSpan lockTimeout)
    {
        if (IsComplete(encoder, directory))
            return;
        Directory.CreateDirectory(directory);
        using FileStream lockFile = AcquireLock(Path.Combine(directory, LockName), lockTimeout);
        if (IsComplete(encoder, directory))
            return; // another process finished while we waited

        // From here on the folder is incomplete until the marker is renamed into place.
        File.Delete(Path.Combine(directory, MarkerName));
        // Temporary files of killed writers: AtomicFile's, and "*.tmp-<guid>" from MLNetExt versions before it.
        foreach (string stale in Directory.GetFiles(directory, "*" + AtomicFile.TemporarySuffix).Concat(Directory.GetFiles(directory, "*.tmp-*")))
            File.Delete(stale);

        var entries = new List<Entry>();
        foreach (string file in ResourceFiles)
        {
            using Stream source = PretrainedEncoders.OpenResource(encoder, file);
            entries.Add(WriteAtomically(directory, file, source));
        }
        using (var config = new MemoryStream(Encoding.UTF8.GetBytes(encoder.Config.ToJson())))
            entries.Add(WriteAtomically(directory, EncoderConfig.FileName, config));

        var marker = new Marker(PackageIdentity(encoder), entries);
        using var markerStream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(marker, s_indented));
        WriteAtomically(directory, MarkerName, markerStream);
    }

    private static Entry WriteAtomically(string directory, string name, Stream source)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        AtomicFile.WriteStream(Path.Combine(directory, name), output =>
        {
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Write(buffer, 0, read);
                hash.AppendData(buffer, 0, read);
                size += read;
            }
        });
        return new Entry(name, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static FileStream AcquireLock(string path, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                Thread.Sleep(100);
            }
            catch (IOException ex)
            {
                throw new TimeoutException(
                    $"Waited {timeout} for the lock file '{path}' held by another process writing the same model. " +
                    "If no such process runs, delete the lock file.", ex);
            }
        }
    }

    private static string PackageIdentity(PretrainedEncoder encoder) =>
        $"{encoder.PackageId} {encoder.ResourceAssembly().GetName().Version}";

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
