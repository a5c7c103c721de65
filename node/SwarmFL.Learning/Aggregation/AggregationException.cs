namespace SwarmFL.Learning.Aggregation;

/// <summary>A merge that was refused because its inputs are unusable; no merged model is produced.</summary>
public sealed class AggregationException(string message, Exception? inner = null) : Exception(message, inner);
