using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.ModelFiles;

/// <summary>
/// Canonical safetensors, so that equal weights always give equal bytes and therefore equal content ids.
/// </summary>
/// <remarks>
/// Layout (a valid safetensors file that PyTorch's safetensors and numpy can read):
/// <list type="number">
/// <item>8 bytes: the header length H, unsigned 64-bit little-endian; H is a multiple of 8.</item>
/// <item>H bytes: the header, compact UTF-8 JSON with no <c>__metadata__</c>: one entry per tensor, in ordinal order of
/// the names, each <c>"name":{"dtype":"F32","shape":[…],"data_offsets":[begin,end]}</c> with keys in exactly that
/// order, then padded with spaces (0x20) up to a multiple of 8.</item>
/// <item>The tensor data: float32 little-endian, row-major, in the same name order, back to back, starting at offset 0.</item>
/// </list>
/// </remarks>
public static class SafeTensors
{
    /// <summary>Headers larger than this are refused before allocation (a 100 MB header would be hostile).</summary>
    public const long MaxHeaderBytes = 16 * 1024 * 1024;

    /// <summary>The exact length of the canonical file of a layout: the header is fixed by the layout, so is the size.</summary>
    public static long FileSize(TensorLayout layout) => 8 + EncodeHeader(layout).Length + layout.Tensors.Sum(t => (long)t.ElementCount * t.ElementBytes);

    public static byte[] Encode(ModelWeights weights)
    {
        var header = EncodeHeader(weights.Layout);
        var dataBytes = weights.Layout.Tensors.Sum(t => t.ElementCount * t.ElementBytes);
        var file = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        var offset = 8 + header.Length;
        for (var t = 0; t < weights.Values.Count; t++)
        {
            var values = weights.Values[t];
            var spec = weights.Layout.Tensors[t];
            var span = file.AsSpan(offset, values.Length * spec.ElementBytes);
            if (spec.DType == TensorDType.I64)
                IntegerBuffers.Encode(values, span, spec.Name);
            else if (BitConverter.IsLittleEndian)
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(span);
            else
                for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(span[(i * 4)..], values[i]);
            offset += span.Length;
        }
        return file;
    }

    /// <summary>Writes the canonical file atomically (temp file, then rename) and returns its content id.</summary>
    public static Crypto.ContentId Write(ModelWeights weights, string path)
    {
        var bytes = Encode(weights);
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, full, overwrite: true);
        return Crypto.ContentId.Of(bytes);
    }

    public static byte[] EncodeHeader(TensorLayout layout)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            long offset = 0;
            foreach (var t in layout.Tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType.ToString());
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += t.ElementCount * t.ElementBytes;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padded = (buffer.Length + 7) / 8 * 8;
        while (buffer.Length < padded) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Decodes a whole file held in memory, checking it against the expected layout.</summary>
    public static ModelWeights Decode(ReadOnlySpan<byte> file, TensorLayout expected, string what = "model file")
    {
        var header = SafeTensorsHeader.Parse(file, file.Length, what);
        header.RequireLayout(expected, what);
        var values = new List<float[]>();
        foreach (var entry in header.Entries)
        {
            var bytes = file.Slice((int)(header.DataStart + entry.Begin), (int)(entry.End - entry.Begin));
            values.Add(entry.DType == "I64" ? IntegerBuffers.Decode(bytes, $"{what}: tensor {entry.Name}") : ToFloats(bytes));
        }
        return new ModelWeights(expected, values);
    }

    public static ModelWeights Load(string path, TensorLayout expected)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"{path}: cannot read model file: {e.Message}", e);
        }
        return Decode(bytes, expected, path);
    }

    internal static float[] ToFloats(ReadOnlySpan<byte> bytes)
    {
        var values = Aggregation.ResultArrays.Floats(bytes.Length / 4); // every element is written below
        if (BitConverter.IsLittleEndian)
            bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        else
            for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        return values;
    }
}

/// <summary>One tensor entry of a safetensors header; offsets are relative to the start of the data section.</summary>
public sealed record SafeTensorsEntry(string Name, string DType, int[] Shape, long Begin, long End);

/// <summary>A parsed and bounds-checked safetensors header.</summary>
public sealed class SafeTensorsHeader
{
    public required IReadOnlyList<SafeTensorsEntry> Entries { get; init; }
    /// <summary>File offset of the data section: 8 + header length.</summary>
    public required long DataStart { get; init; }

    /// <summary>Parses the header from the first bytes of a file of <paramref name="fileLength"/> bytes.</summary>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> prefix, long fileLength, string what)
    {
        if (fileLength < 8 || prefix.Length < 8) throw new ModelFileException($"{what}: truncated: {fileLength} bytes is too short for a safetensors header");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)SafeTensors.MaxHeaderBytes)
            throw new ModelFileException($"{what}: corrupt: header length {headerLength} exceeds the {SafeTensors.MaxHeaderBytes}-byte limit");
        if ((long)headerLength > fileLength - 8)
            throw new ModelFileException($"{what}: truncated: header says {headerLength} header bytes, file has {fileLength - 8} after the length");
        if ((long)headerLength > prefix.Length - 8)
            throw new ArgumentException("prefix does not hold the whole header");
        var headerBytes = prefix.Slice(8, (int)headerLength);
        var entries = new List<SafeTensorsEntry>();
        try
        {
            using var doc = JsonDocument.Parse(headerBytes.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFileException($"{what}: corrupt: header is not a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                var dtype = p.Value.GetProperty("dtype").GetString() ?? "";
                var shape = p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
                var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                if (offsets.Length != 2) throw new ModelFileException($"{what}: corrupt: tensor {p.Name} needs two data offsets");
                entries.Add(new SafeTensorsEntry(p.Name, dtype, shape, offsets[0], offsets[1]));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or DecoderFallbackException)
        {
            throw new ModelFileException($"{what}: corrupt: header is not valid safetensors JSON ({e.Message})", e);
        }
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;
        foreach (var e in entries)
        {
            if (e.DType is not ("F32" or "I64")) throw new ModelFileException($"{what}: tensor {e.Name} has dtype {e.DType}; only F32 and I64 are supported");
            if (e.Shape.Any(d => d < 0)) throw new ModelFileException($"{what}: corrupt: tensor {e.Name} has a negative dimension");
            var expectedBytes = e.Shape.Aggregate(e.DType == "I64" ? 8L : 4L, (a, d) => a * d);
            if (e.Begin < 0 || e.End < e.Begin || e.End - e.Begin != expectedBytes)
                throw new ModelFileException($"{what}: corrupt: tensor {e.Name} offsets [{e.Begin},{e.End}] do not match its shape [{string.Join(",", e.Shape)}]");
            if (e.End > dataLength)
                throw new ModelFileException($"{what}: truncated: tensor {e.Name} ends at data byte {e.End}, file has {dataLength} data bytes");
        }
        // Tensors must tile the data section exactly: no overlaps, no gaps, nothing trailing.
        long cursor = 0;
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            if (e.Begin != cursor) throw new ModelFileException($"{what}: corrupt: tensor data overlaps or leaves a gap at data byte {cursor}");
            cursor = e.End;
        }
        if (cursor != dataLength) throw new ModelFileException($"{what}: corrupt: {dataLength - cursor} trailing bytes after the tensor data");
        return new SafeTensorsHeader { Entries = entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToArray(), DataStart = dataStart };
    }

    /// <summary>Refuses a file whose tensor names or shapes differ from the model's.</summary>
    public void RequireLayout(TensorLayout expected, string what)
    {
        var names = Entries.Select(e => e.Name).ToHashSet();
        var missing = expected.Tensors.Where(t => !names.Contains(t.Name)).Select(t => t.Name).ToArray();
        var extra = Entries.Where(e => expected.Find(e.Name) is null).Select(e => e.Name).ToArray();
        if (missing.Length > 0 || extra.Length > 0)
            throw new ModelFileException($"{what}: tensors do not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]");
        foreach (var e in Entries)
        {
            var t = expected.Find(e.Name)!;
            if (!t.SameShape(e.Shape))
                throw new ModelFileException($"{what}: tensor {e.Name} has shape [{string.Join(",", e.Shape)}], the model needs {t.ShapeText}");
            if (t.DType.ToString() != e.DType)
                throw new ModelFileException($"{what}: tensor {e.Name} has dtype {e.DType}, the model needs {t.DType}");
        }
    }
}
