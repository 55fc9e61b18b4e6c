using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Training;

/// <summary>
/// A copy of a module's state (parameters and buffers) taken when an evaluation improved, so that the run can end
/// with the best weights (<see cref="TrainingOptions.KeepBestModel"/>).
/// </summary>
/// <remarks>
/// Saved inside a checkpoint as <c>best.bin</c>: an Int32 count, then per tensor (in name order) its name as a
/// length-prefixed UTF-8 string and TorchSharp's tensor encoding (<c>Tensor.Save</c>). Read back into a snapshot
/// taken from the same module, so names, shapes and types must match.
/// </remarks>
internal sealed class BestModelSnapshot : IDisposable
{
    private readonly SortedDictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    private BestModelSnapshot()
    {
    }

    /// <summary>A copy of the module's current state.</summary>
    public static BestModelSnapshot Take(nn.Module module)
    {
        var snapshot = new BestModelSnapshot();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach ((string name, Tensor value) in module.state_dict())
            snapshot._tensors[name] = value.detach().clone().DetachFromDisposeScope();
        return snapshot;
    }

    /// <summary>Overwrites the copy with the module's current state.</summary>
    public void Update(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach ((string name, Tensor value) in module.state_dict())
            _tensors[name].copy_(value);
    }

    /// <summary>Writes the copy back into the module.</summary>
    public void RestoreInto(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach ((string name, Tensor value) in module.state_dict())
            value.copy_(_tensors[name]);
    }

    public void Save(BinaryWriter writer)
    {
        writer.Write(_tensors.Count);
        foreach ((string name, Tensor value) in _tensors)
        {
            writer.Write(name);
            TensorExtensionMethods.Save(value, writer);
        }
    }

    /// <summary>Reads a saved copy into a snapshot of <paramref name="module"/>'s layout.</summary>
    public static BestModelSnapshot Load(nn.Module module, BinaryReader reader, string path)
    {
        BestModelSnapshot snapshot = Take(module);
        int count = reader.ReadInt32();
        if (count != snapshot._tensors.Count)
            throw new InvalidDataException($"{path}: {count} tensors, the module has {snapshot._tensors.Count}.");
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            if (!snapshot._tensors.TryGetValue(name, out Tensor? tensor))
                throw new InvalidDataException($"{path}: tensor '{name}' is not in the module.");
            TensorExtensionMethods.Load(tensor, reader);
        }
        return snapshot;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (Tensor t in _tensors.Values)
            t.Dispose();
        _tensors.Clear();
    }
}
