using System.Buffers.Binary;

namespace SwarmFL.Learning.ModelFiles;

/// <summary>
/// int64 tensors (integer buffers such as BatchNorm's <c>num_batches_tracked</c>) carried in a float array: every value
/// is an integer of magnitude at most 2²⁴, which float32 holds exactly, so encoding back to int64 is lossless.
/// </summary>
/// <remarks>
/// One in-memory type for every tensor keeps aggregation, validation and the merge kernels unchanged. A counter that
/// reaches 2²⁴ (16.7 million batches) is refused rather than rounded, naming the tensor.
/// </remarks>
public static class IntegerBuffers
{
    public const long Limit = 1L << 24;

    public static void Encode(ReadOnlySpan<float> values, Span<byte> destination, string name)
    {
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt64LittleEndian(destination[(i * 8)..], ToInteger(values[i], name));
    }

    public static float[] Decode(ReadOnlySpan<byte> bytes, string what)
    {
        var values = new float[bytes.Length / 8];
        for (var i = 0; i < values.Length; i++)
        {
            var v = BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * 8)..]);
            if (v > Limit || v < -Limit) throw new ModelFileException($"{what}: integer value {v} exceeds ±2^24, the largest integer buffer value supported");
            values[i] = v;
        }
        return values;
    }

    public static long ToInteger(long value, string name)
    {
        if (value > Limit || value < -Limit) throw new ModelFileException($"tensor {name} is an integer buffer holding {value}, beyond ±2^24, the largest value supported");
        return value;
    }

    public static long ToInteger(float value, string name)
    {
        if (!float.IsFinite(value) || value != MathF.Round(value) || Math.Abs(value) > Limit)
            throw new ModelFileException($"tensor {name} is an integer buffer, but holds {value}: not an integer within ±2^24");
        return (long)value;
    }
}
