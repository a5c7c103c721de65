using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SwarmFL.Learning.Data.Npz;

/// <summary>
/// One NumPy array read from the .npy format (versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", the version, a
/// little-endian header length, and a Python dict literal with 'descr', 'fortran_order' and 'shape', then the raw data.
/// Strict: an unknown key, a dtype other than bool/int/uint/float of 1–8 bytes, a shape whose size disagrees with the
/// data's length, or trailing bytes are refused. Values come out as doubles in C (row-major) order.
/// </summary>
public sealed partial class NpyArray
{
    public int[] Shape { get; }
    public string DType { get; }
    public double[] Values { get; }
    public bool IsInteger => DType[1] is 'i' or 'u' or 'b';

    private NpyArray(int[] shape, string dtype, double[] values) { Shape = shape; DType = dtype; Values = values; }

    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic)) throw new InvalidDataException($"{what}: not a .npy array (no \\x93NUMPY magic)");
        var major = bytes[6];
        int headerLength, offset;
        switch (major)
        {
            case 1: headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]); offset = 10; break;
            case 2 or 3:
                if (bytes.Length < 12) throw new InvalidDataException($"{what}: truncated .npy header");
                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..])); offset = 12; break;
            default: throw new InvalidDataException($"{what}: .npy version {major}.{bytes[7]} is not supported (1.0, 2.0, 3.0 are)");
        }
        if (bytes.Length < offset + headerLength) throw new InvalidDataException($"{what}: truncated .npy header");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(offset, headerLength)).Trim();
        var (dtype, fortran, shape) = ParseHeader(header, what);
        var itemSize = int.Parse(dtype[2..], CultureInfo.InvariantCulture);
        long count = 1;
        foreach (var d in shape) count = checked(count * d);
        var data = bytes[(offset + headerLength)..];
        if (data.Length != count * itemSize)
            throw new InvalidDataException($"{what}: shape ({string.Join(", ", shape)}) of {dtype} needs {count * itemSize} data bytes, the array has {data.Length}");
        var values = new double[count];
        var bigEndian = dtype[0] == '>';
        for (long i = 0; i < count; i++) values[i] = Read(data.Slice((int)(i * itemSize), itemSize), dtype[1], itemSize, bigEndian);
        if (fortran && shape.Length > 1) values = ToRowMajor(values, shape);
        return new NpyArray(shape, dtype, values);
    }

    private static (string DType, bool Fortran, int[] Shape) ParseHeader(string header, string what)
    {
        var m = HeaderPattern().Match(header);
        if (!m.Success) throw new InvalidDataException($"{what}: .npy header {header} is not a dict of exactly 'descr', 'fortran_order' and 'shape'");
        var keys = new Dictionary<string, string>();
        foreach (Capture c in m.Groups["entry"].Captures)
        {
            var e = EntryPattern().Match(c.Value);
            if (!keys.TryAdd(e.Groups["key"].Value, e.Groups["value"].Value.Trim()))
                throw new InvalidDataException($"{what}: .npy header names '{e.Groups["key"].Value}' twice");
        }
        if (keys.Count != 3 || !keys.ContainsKey("descr") || !keys.ContainsKey("fortran_order") || !keys.ContainsKey("shape"))
            throw new InvalidDataException($"{what}: .npy header keys are {string.Join(", ", keys.Keys)}; expected descr, fortran_order, shape");
        var descr = keys["descr"].Trim('\'', '"');
        if (!DTypePattern().IsMatch(descr))
            throw new InvalidDataException($"{what}: dtype '{descr}' is not supported (bool, int8–64, uint8–64, float16–64; no structured or object arrays)");
        if (descr[0] == '=') descr = (BitConverter.IsLittleEndian ? '<' : '>') + descr[1..];
        if (descr[0] == '|') descr = '<' + descr[1..];
        var fortran = keys["fortran_order"] switch
        {
            "True" => true, "False" => false,
            var v => throw new InvalidDataException($"{what}: fortran_order is {v}, not True or False"),
        };
        var shapeText = keys["shape"];
        if (!shapeText.StartsWith('(') || !shapeText.EndsWith(')')) throw new InvalidDataException($"{what}: shape {shapeText} is not a tuple");
        var dims = shapeText[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new int[dims.Length];
        for (var i = 0; i < dims.Length; i++)
            if (!int.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new InvalidDataException($"{what}: shape {shapeText} has a dimension '{dims[i]}' that is not a non-negative integer");
        return (descr, fortran, shape);
    }

    private static double Read(ReadOnlySpan<byte> b, char kind, int size, bool bigEndian)
    {
        Span<byte> v = stackalloc byte[size];
        b.CopyTo(v);
        if (bigEndian != !BitConverter.IsLittleEndian) v.Reverse();
        return (kind, size) switch
        {
            ('b', 1) => v[0] == 0 ? 0 : 1,
            ('u', 1) => v[0],
            ('i', 1) => (sbyte)v[0],
            ('u', 2) => BitConverter.ToUInt16(v),
            ('i', 2) => BitConverter.ToInt16(v),
            ('u', 4) => BitConverter.ToUInt32(v),
            ('i', 4) => BitConverter.ToInt32(v),
            ('u', 8) => BitConverter.ToUInt64(v),
            ('i', 8) => BitConverter.ToInt64(v),
            ('f', 2) => (double)BitConverter.ToHalf(v),
            ('f', 4) => BitConverter.ToSingle(v),
            ('f', 8) => BitConverter.ToDouble(v),
            _ => throw new InvalidDataException($"dtype {kind}{size} is not supported"),
        };
    }

    /// <summary>Column-major (Fortran) order → row-major: element (i0…ik) sits at Σ i_j·Π_{l&lt;j} d_l in the source.</summary>
    private static double[] ToRowMajor(double[] source, int[] shape)
    {
        var result = new double[source.Length];
        var index = new int[shape.Length];
        for (long r = 0; r < result.Length; r++)
        {
            long f = 0, stride = 1;
            for (var j = 0; j < shape.Length; j++) { f += index[j] * stride; stride *= shape[j]; }
            result[r] = source[f];
            for (var j = shape.Length - 1; j >= 0; j--)
            {
                if (++index[j] < shape[j]) break;
                index[j] = 0;
            }
        }
        return result;
    }

    [GeneratedRegex(@"^\{\s*(?:(?<entry>'[a-z_]+'\s*:\s*(?:\([^)]*\)|'[^']*'|True|False))\s*,?\s*)+\}$")]
    private static partial Regex HeaderPattern();

    [GeneratedRegex(@"^'(?<key>[a-z_]+)'\s*:\s*(?<value>.*)$", RegexOptions.Singleline)]
    private static partial Regex EntryPattern();

    [GeneratedRegex(@"^(?:[<>=|](?:b1|u[1248]|i[1248]|f[248])|\|[biu]1)$")]
    private static partial Regex DTypePattern();
}
