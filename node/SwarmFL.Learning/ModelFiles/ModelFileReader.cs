using System.Buffers.Binary;
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
        SafeFileHandle handle;
        try { handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"{path}: cannot open model file: {e.Message}", e);
        }
        try
        {
            var length = RandomAccess.GetLength(handle);
            var lengthBytes = new byte[8];
            var read = RandomAccess.Read(handle, lengthBytes, 0);
            if (read < 8) throw new ModelFileException($"{path}: truncated: {length} bytes is too short for a safetensors header");
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength > (ulong)SafeTensors.MaxHeaderBytes || (long)headerLength > length - 8)
                SafeTensorsHeader.Parse(lengthBytes, length, path); // throws the precise error
            var prefix = new byte[8 + (int)headerLength];
            if (RandomAccess.Read(handle, prefix, 0) != prefix.Length) throw new ModelFileException($"{path}: truncated header");
            var header = SafeTensorsHeader.Parse(prefix, length, path);
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
        using var stream = OpenForHeader(path, out var length);
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)SafeTensors.MaxHeaderBytes || (long)headerLength > length - 8)
            SafeTensorsHeader.Parse(lengthBytes, length, path);
        var prefix = new byte[8 + (int)headerLength];
        lengthBytes.CopyTo(prefix, 0);
        stream.ReadExactly(prefix.AsSpan(8));
        var header = SafeTensorsHeader.Parse(prefix, length, path);
        if (header.Entries.Count == 0) throw new ModelFileException($"{path}: holds no tensors");
        try { return new TensorLayout(header.Entries.Select(e => new TensorSpec(e.Name, e.Shape))); }
        catch (ArgumentException e) { throw new ModelFileException($"{path}: {e.Message}", e); }
    }

    private static FileStream OpenForHeader(string path, out long length)
    {
        try
        {
            var stream = File.OpenRead(path);
            length = stream.Length;
            if (length < 8) { stream.Dispose(); throw new ModelFileException($"{path}: truncated: {length} bytes is too short for a safetensors header"); }
            return stream;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"{path}: cannot open model file: {e.Message}", e);
        }
    }

    /// <summary>Reads the tensor at layout position <paramref name="index"/>.</summary>
    public float[] ReadTensor(int index)
    {
        var entry = _header.Entries[index];
        var bytes = new byte[entry.End - entry.Begin];
        var done = 0;
        while (done < bytes.Length)
        {
            var n = RandomAccess.Read(_handle, bytes.AsSpan(done), _header.DataStart + entry.Begin + done);
            if (n == 0) throw new ModelFileException($"{Path}: truncated while reading tensor {entry.Name}");
            done += n;
        }
        return SafeTensors.ToFloats(bytes);
    }

    public void Dispose() => _handle.Dispose();
}
