using System.Globalization;
using System.Text.Json;
using MLNetExt.Transforms.IO;

namespace MLNetExt.AI;

// The snapshot file, version 1 (UTF-8 JSON):
//   { "format": "mlnetext-dense-collection", "version": 1, "name": <collection name>, "dimensions": <int>,
//     "distanceFunction": <VectorData distance name>,
//     "records": [ { "record": <the record as System.Text.Json writes it, without its vector>, "vector": [<floats>] }, ... ] }
// Floats are written in their shortest round-trip form, so a snapshot reads back bit for bit.
public sealed partial class DenseVectorStoreCollection<TKey, TRecord>
{
    private const string SnapshotFormat = "mlnetext-dense-collection";
    private const int SnapshotVersion = 1;

    /// <summary>
    /// Writes every record and vector to <see cref="SnapshotPath"/> atomically (a temporary file, then a rename): a
    /// crash mid-write leaves the previous snapshot in place. A new collection object on the same path reads it back.
    /// </summary>
    /// <exception cref="InvalidOperationException">The collection has no <see cref="SnapshotPath"/>.</exception>
    public void SaveSnapshot()
    {
        string path = SnapshotPath ?? throw new InvalidOperationException(
            $"The collection '{Name}' has no snapshot file; set DenseVectorStoreCollectionOptions.SnapshotPath.");
        lock (_lock)
        {
            ThrowIfMissing("SaveSnapshot");
            AtomicFile.WriteStream(path, stream =>
            {
                using var writer = new Utf8JsonWriter(stream);
                writer.WriteStartObject();
                writer.WriteString("format", SnapshotFormat);
                writer.WriteNumber("version", SnapshotVersion);
                writer.WriteString("name", Name);
                writer.WriteNumber("dimensions", _index.Dimensions);
                writer.WriteString("distanceFunction", _index.DistanceFunction);
                writer.WriteStartArray("records");
                foreach (StoredRecord stored in _records.Values)
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("record");
                    using (JsonDocument record = JsonDocument.Parse(stored.Json))
                        record.WriteTo(writer);
                    writer.WriteStartArray("vector");
                    foreach (float value in stored.Vector)
                        writer.WriteNumberValue(value);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }
    }

    private void ReadSnapshot(string path)
    {
        using JsonDocument document = ParseSnapshot(path);
        JsonElement root = document.RootElement;
        string Expect(bool ok, string what) => ok ? "" : throw new InvalidDataException($"{path}: not a snapshot of this collection: {what}.");
        Expect(root.ValueKind == JsonValueKind.Object && root.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String
            && format.GetString() == SnapshotFormat, $"expected \"format\": \"{SnapshotFormat}\"");
        int version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : -1;
        Expect(version == SnapshotVersion, $"expected version {SnapshotVersion}, got {version}");
        int dimensions = root.TryGetProperty("dimensions", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : -1;
        Expect(dimensions == _index.Dimensions, $"its vectors have {dimensions} dimensions, {typeof(TRecord).Name} declares {_index.Dimensions}");
        string? distance = root.TryGetProperty("distanceFunction", out var f) ? f.GetString() : null;
        Expect(distance == _index.DistanceFunction, $"its distance function is '{distance}', {typeof(TRecord).Name} declares '{_index.DistanceFunction}'");
        Expect(root.TryGetProperty("records", out var records) && records.ValueKind == JsonValueKind.Array, "expected a \"records\" array");

        int index = 0;
        foreach (JsonElement entry in records.EnumerateArray())
        {
            string where = string.Create(CultureInfo.InvariantCulture, $"records[{index}]");
            bool complete = entry.TryGetProperty("record", out JsonElement recordElement) & entry.TryGetProperty("vector", out JsonElement vectorElement);
            Expect(complete && vectorElement.ValueKind == JsonValueKind.Array, $"{where} needs \"record\" and a \"vector\" array");
            float[] vector = vectorElement.EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Expect(vector.Length == dimensions, $"{where} has {vector.Length} dimensions, expected {dimensions}");
            TRecord record;
            try
            {
                record = recordElement.Deserialize<TRecord>(_json)!;
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}: {where} is not a {typeof(TRecord).Name}: {ex.Message}", ex);
            }
            TKey key = _model.GetKey(record);
            _index.Upsert(key, vector);
            _records[key] = Store(record, vector);
            index++;
        }
        _exists = true;
    }

    private static JsonDocument ParseSnapshot(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: the snapshot is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message}", ex);
        }
    }
}
