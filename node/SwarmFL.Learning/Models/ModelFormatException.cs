namespace SwarmFL.Learning.Models;

/// <summary>A model file or name that cannot be used: the message names the file, the layer (index and type), the field and the shapes.</summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException(string message) : base(message) { }
    public ModelFormatException(string message, Exception inner) : base(message, inner) { }
}
