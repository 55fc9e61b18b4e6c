namespace MLNetExt.Transforms.Persistence;

/// <summary>
/// Names the <see cref="IPipelinePart"/> that saves and loads this transformer class inside a
/// <c>SaveWithEncoders</c> pipeline file.
/// </summary>
/// <param name="partType">A class implementing <see cref="IPipelinePart"/> with a parameterless constructor.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PipelinePartAttribute(Type partType) : Attribute
{
    /// <summary>The <see cref="IPipelinePart"/> implementation.</summary>
    public Type PartType { get; } = partType ?? throw new ArgumentNullException(nameof(partType));
}
