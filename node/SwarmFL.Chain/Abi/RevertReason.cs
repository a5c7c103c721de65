using System.Numerics;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Abi;

/// <summary>Why a call reverted, decoded from its revert data: a custom error, Error(string), Panic(uint256), or raw bytes.</summary>
public sealed record RevertReason(string Name, IReadOnlyList<AbiParameter> Parameters, IReadOnlyList<object?> Arguments, byte[] Data)
{
    public bool IsDecoded => Parameters.Count == Arguments.Count && Name.Length > 0;

    /// <summary>E.g. `AlreadyCommitted(round: 3, member: 0xAb…)` or `Error("not allowed")` or `Panic(0x11: arithmetic overflow)`.</summary>
    public override string ToString()
    {
        if (Name == "Error" && Arguments is [string message]) return $"Error(\"{message}\")";
        if (Name == "Panic" && Arguments is [BigInteger code]) return $"Panic(0x{code:x2}: {PanicMeaning(code)})";
        if (!IsDecoded) return Data.Length == 0 ? "reverted without data" : $"reverted with unknown data {Hex.Encode(Data)}";
        return Name + "(" + string.Join(", ", Parameters.Select((p, i) =>
            (p.Name.Length > 0 ? p.Name + ": " : "") + Format(Arguments[i]))) + ")";
    }

    /// <summary>Tries the known custom errors first, then the two built-in ones.</summary>
    public static RevertReason Decode(ReadOnlySpan<byte> data, IEnumerable<AbiError>? knownErrors = null)
    {
        var candidates = (knownErrors ?? []).Append(AbiError.ErrorString).Append(AbiError.Panic);
        foreach (var error in candidates)
        {
            if (!error.Matches(data)) continue;
            try
            {
                return new RevertReason(error.Name, error.Inputs, error.Decode(data), data.ToArray());
            }
            catch (FormatException)
            {
                // Selector clash or malformed arguments: report the raw data rather than a wrong decoding.
            }
        }
        return new RevertReason("", [], [], data.ToArray());
    }

    public static string Format(object? value) => value switch
    {
        null => "null",
        byte[] bytes => Hex.Encode(bytes),
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        object?[] items => "[" + string.Join(", ", items.Select(Format)) + "]",
        _ => value.ToString() ?? "",
    };

    private static string PanicMeaning(BigInteger code) => (int)(code & 0xff) switch
    {
        0x01 => "assertion failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division or modulo by zero",
        0x21 => "invalid enum value",
        0x22 => "invalid storage byte array",
        0x31 => "pop on empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory",
        0x51 => "call to uninitialized function",
        _ => "unknown panic",
    };
}
