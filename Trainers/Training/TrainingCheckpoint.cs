using MLNetExt.Transforms.IO;
using System.Text.Json;
using MLNetExt.Evaluation.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Training;

/// <summary>The loop's own counters, saved with each checkpoint as <c>state.json</c>.</summary>
internal sealed class TrainingState
{
    public int Step { get; set; }
    public string Fingerprint { get; set; } = "";
    /// <summary>libtorch threads of the run (0 in checkpoints written before the count was kept).</summary>
    public int Threads { get; set; }
    public double BestMetric { get; set; } = double.NaN;
    /// <summary>The step of the best evaluation (0: none yet).</summary>
    public int BestStep { get; set; }
    public int EvaluationsWithoutImprovement { get; set; }
    public bool StoppedEarly { get; set; }
    public List<EvaluationRecord> Evaluations { get; set; } = [];
    public Dictionary<string, long> FileLengths { get; set; } = [];
}

internal sealed class EvaluationRecord
{
    public int Step { get; set; }
    public Dictionary<string, double> Metrics { get; set; } = [];
}

/// <summary>
/// Checkpoints in a folder: each one is written into a temporary folder, flushed to disk and renamed to
/// <c>step-NNNNNNNN/</c> (<see cref="AtomicFile.WriteDirectory"/>), and only then named in the <c>latest</c> file
/// (replaced atomically). A run killed while writing leaves a temporary folder that is never read (and is deleted by
/// the next save); the previous checkpoint stays the latest.
/// </summary>
/// <remarks>
/// Layout of a checkpoint folder: <c>module.bin</c> (TorchSharp state dict of the whole module),
/// <c>optimizer.bin</c> (TorchSharp AdamW state), <c>best.bin</c> when the run keeps its best weights
/// (<see cref="BestModelSnapshot"/>), <c>state.json</c> (step, libtorch thread count, evaluations, best step,
/// early-stopping counters and the byte length of the binary files, checked on load).
/// </remarks>
internal static class TrainingCheckpoint
{
    private const string LatestFile = "latest";
    private const string ModuleFile = "module.bin";
    private const string OptimizerFile = "optimizer.bin";
    private const string BestFile = "best.bin";
    private const string StateFile = "state.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Save(string directory, nn.Module module, OptimizerHelper optimizer, TrainingState state, BestModelSnapshot? best)
    {
        string name = $"step-{state.Step:D8}";
        AtomicFile.WriteDirectory(Path.Combine(directory, name), folder =>
        {
            state.FileLengths = new Dictionary<string, long>
            {
                [ModuleFile] = WriteBinary(Path.Combine(folder, ModuleFile), w => module.save(w)),
                [OptimizerFile] = WriteBinary(Path.Combine(folder, OptimizerFile), optimizer.save_state_dict),
            };
            if (best is not null)
                state.FileLengths[BestFile] = WriteBinary(Path.Combine(folder, BestFile), best.Save);
            using var stream = new FileStream(Path.Combine(folder, StateFile), FileMode.CreateNew);
            JsonSerializer.Serialize(stream, state, Json);
        });
        AtomicFile.WriteAllText(Path.Combine(directory, LatestFile), name);

        // Older checkpoints and the temporary folders of runs killed while writing one.
        foreach (string old in Directory.EnumerateDirectories(directory, "step-*"))
            if (!string.Equals(Path.GetFileName(old), name, StringComparison.Ordinal))
                Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// Loads the latest complete checkpoint into the module and optimizer; returns its state (and the best weights it
    /// kept, if any), or null when there is none.
    /// </summary>
    public static (TrainingState State, BestModelSnapshot? Best)? TryLoad(string directory, nn.Module module, OptimizerHelper optimizer, string fingerprint)
    {
        string latest = Path.Combine(directory, LatestFile);
        if (!File.Exists(latest))
            return null;
        string folder = Path.Combine(directory, File.ReadAllText(latest).Trim());
        string statePath = Path.Combine(folder, StateFile);
        TrainingState state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath), Json)
            ?? throw new InvalidDataException($"{statePath}: empty checkpoint state.");
        if (state.Fingerprint != fingerprint)
            throw new InvalidOperationException(
                $"The checkpoint in '{folder}' was written by a run with other settings ({state.Fingerprint}); this run has {fingerprint}. Use another CheckpointDirectory or delete it.");
        foreach ((string file, long length) in state.FileLengths)
        {
            long actual = new FileInfo(Path.Combine(folder, file)).Length;
            if (actual != length)
                throw new InvalidDataException($"{Path.Combine(folder, file)}: {actual} bytes, the checkpoint recorded {length}.");
        }
        using (var reader = new BinaryReader(File.OpenRead(Path.Combine(folder, ModuleFile))))
            module.load(reader, strict: true);
        using (var reader = new BinaryReader(File.OpenRead(Path.Combine(folder, OptimizerFile))))
            optimizer.load_state_dict(reader);
        string bestPath = Path.Combine(folder, BestFile);
        if (!state.FileLengths.ContainsKey(BestFile))
            return (state, null);
        using (var reader = new BinaryReader(File.OpenRead(bestPath)))
            return (state, BestModelSnapshot.Load(module, reader, bestPath));
    }

    private static long WriteBinary(string path, Action<BinaryWriter> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew);
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
            writer.Flush();
        }
        return stream.Length;
    }
}
