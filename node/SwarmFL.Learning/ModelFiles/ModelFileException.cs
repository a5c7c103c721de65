namespace SwarmFL.Learning.ModelFiles;

/// <summary>A model file that cannot be used: truncated, corrupt, or not the model the caller expects.</summary>
public sealed class ModelFileException(string message, Exception? inner = null) : Exception(message, inner);
