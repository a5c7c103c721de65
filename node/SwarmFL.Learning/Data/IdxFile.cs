using System.Buffers.Binary;
using System.IO.Compression;

namespace SwarmFL.Learning.Data;

/// <summary>An IDX file (LeCun's MNIST format) of unsigned bytes: dimensions and the raw values.</summary>
public sealed record IdxFile(int[] Dimensions, byte[] Data)
{
    /// <summary>IDX type code 0x08: unsigned byte, the only type MNIST uses.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>
    /// Reads an IDX file, gzipped or raw. Checks the magic number (two zero bytes, type 0x08, dimension count) and
    /// that the file holds exactly the bytes its dimensions promise; anything else is an error naming the file.
    /// </summary>
    public static IdxFile Read(string path, int expectedDimensions)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
            if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var raw = new MemoryStream();
                gzip.CopyTo(raw);
                bytes = raw.ToArray();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: cannot read IDX file: {e.Message}", e);
        }
        return Parse(bytes, expectedDimensions, path);
    }

    public static IdxFile Parse(ReadOnlySpan<byte> bytes, int expectedDimensions, string what)
    {
        if (bytes.Length < 4) throw new InvalidDataException($"{what}: truncated IDX file ({bytes.Length} bytes, no magic number)");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{what}: not an IDX file (magic number {Convert.ToHexString(bytes[..4])} does not start with 0000)");
        if (bytes[2] != UnsignedByte)
            throw new InvalidDataException($"{what}: IDX type 0x{bytes[2]:x2} is not supported (only unsigned bytes, 0x08)");
        int dims = bytes[3];
        if (dims != expectedDimensions)
            throw new InvalidDataException($"{what}: expected {expectedDimensions} dimensions, the magic number says {dims}");
        var headerLength = 4 + 4 * dims;
        if (bytes.Length < headerLength) throw new InvalidDataException($"{what}: truncated IDX header");
        var dimensions = new int[dims];
        long count = 1;
        for (var i = 0; i < dims; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * i)..]);
            if (dimensions[i] < 0) throw new InvalidDataException($"{what}: negative dimension {dimensions[i]}");
            count *= dimensions[i];
        }
        var available = bytes.Length - headerLength;
        if (available < count)
            throw new InvalidDataException($"{what}: truncated: dimensions [{string.Join("x", dimensions)}] need {count} bytes of data, the file has {available}");
        if (available > count)
            throw new InvalidDataException($"{what}: corrupt: {available - count} unexpected bytes after the data");
        return new IdxFile(dimensions, bytes[headerLength..].ToArray());
    }
}
