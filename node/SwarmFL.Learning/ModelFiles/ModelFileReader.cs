using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.ModelFiles;

/// <summary>
/// Reads one tensor at a time from a safetensors file on disk, so aggregation can stream over many models without
/// loading any of them whole. The header is checked against the expected layout when the file is opened.
/// </summary>
public sealed class ModelFileReader : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly SafeTensorsHeader _header;

    public string Path { get; }
    public TensorLayout Layout { get; }

    private ModelFileReader(string path, SafeFileHandle handle, SafeTensorsHeader header, TensorLayout layout)
    {
        Path = path;
        _handle = handle;
        _header = header;
        Layout = layout;
    }

    public static ModelFileReader Open(string path, TensorLayout expected)
    {
        var handle = OpenHandle(path);
        try
        {
            var header = ReadHeader(handle, path);
            header.RequireLayout(expected, path);
            return new ModelFileReader(path, handle, header, expected);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The tensor layout a safetensors file declares (for tools that infer the model from its first input).</summary>
    public static TensorLayout ReadLayout(string path)
    {
        SafeTensorsHeader header;
        using (var handle = OpenHandle(path)) header = ReadHeader(handle, path);
        if (header.Entries.Count == 0) throw new ModelFileException($"{path}: holds no tensors");
        try { return new TensorLayout(header.Entries.Select(e => new TensorSpec(e.Name, e.Shape, e.DType == "I64" ? TensorDType.I64 : TensorDType.F32))); }
        catch (ArgumentException e) { throw new ModelFileException($"{path}: {e.Message}", e); }
    }

    private static SafeFileHandle OpenHandle(string path)
    {
        try { return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"{path}: cannot open model file: {e.Message}", e);
        }
    }

    /// <summary>Reads and checks the header without reading any tensor data; refuses a hostile length before allocating.</summary>
    private static SafeTensorsHeader ReadHeader(SafeFileHandle handle, string path)
    {
        var length = RandomAccess.GetLength(handle);
        var lengthBytes = new byte[8];
        if (RandomAccess.Read(handle, lengthBytes, 0) < 8)
            throw new ModelFileException($"{path}: truncated: {length} bytes is too short for a safetensors header");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)SafeTensors.MaxHeaderBytes || (long)headerLength > length - 8)
            SafeTensorsHeader.Parse(lengthBytes, length, path); // throws the precise error
        var prefix = new byte[8 + (int)headerLength];
        if (RandomAccess.Read(handle, prefix, 0) != prefix.Length) throw new ModelFileException($"{path}: truncated header");
        return SafeTensorsHeader.Parse(prefix, length, path);
    }

    /// <summary>Reads the tensor at layout position <paramref name="index"/>.</summary>
    /// <remarks>
    /// On little-endian machines the file bytes are read straight into the result array: aggregation reads every
    /// tensor of every input, so a staging byte buffer would double the copying on the merge's hot path.
    /// </remarks>
    public float[] ReadTensor(int index)
    {
        var entry = _header.Entries[index];
        if (entry.DType == "I64")
        {
            var integers = new byte[entry.End - entry.Begin];
            ReadExactly(integers, entry);
            return IntegerBuffers.Decode(integers, $"{Path}: tensor {entry.Name}");
        }
        var values = Aggregation.ResultArrays.Floats((int)((entry.End - entry.Begin) / sizeof(float))); // filled by the read below or discarded
        if (BitConverter.IsLittleEndian)
        {
            ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()), entry);
            return values;
        }
        var bytes = new byte[entry.End - entry.Begin];
        ReadExactly(bytes, entry);
        return SafeTensors.ToFloats(bytes);
    }

    private void ReadExactly(Span<byte> destination, SafeTensorsEntry entry)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var n = RandomAccess.Read(_handle, destination[done..], _header.DataStart + entry.Begin + done);
            if (n == 0) throw new ModelFileException($"{Path}: truncated while reading tensor {entry.Name}");
            done += n;
        }
    }

    public void Dispose() => _handle.Dispose();
}
