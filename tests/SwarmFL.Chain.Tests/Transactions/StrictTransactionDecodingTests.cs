using System.Numerics;
using Nethereum.RLP;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Tests.Transactions;

/// <summary>
/// Nethereum's RLP decoder accepts non-canonical input; our transaction decoders must not. Whatever they accept must
/// be the one canonical encoding of what they return, and nothing they are given may escape as another exception.
/// </summary>
public class StrictTransactionDecodingTests
{
    private static readonly NodeKey Key = NodeKey.Generate();

    private static readonly byte[] Eip1559Raw = new Eip1559Transaction
    {
        ChainId = 31337, Nonce = 7, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 3_000_000_000, GasLimit = 100_000,
        To = EthereumAddress.FromBytes(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray()), Value = 5, Data = [1, 2, 3],
    }.Sign(Key).Raw;

    private static readonly byte[] LegacyRaw = new LegacyTransaction
    {
        ChainId = 1337, Nonce = 7, GasPrice = 2_000_000_000, GasLimit = 100_000, Value = 5, Data = [1, 2, 3],
    }.Sign(Key).Raw;

    private static byte[][] Fields(byte[] rlpList) => ((RLPCollection)RLP.Decode(rlpList)).Select(f => f.RLPData ?? []).ToArray();

    private static byte[] List(IEnumerable<byte[]> encodedFields) => RLP.EncodeList(encodedFields.ToArray());

    [Fact]
    public void AnIntegerWithALeadingZeroIsRefused()
    {
        var fields = Fields(LegacyRaw).Select(RLP.EncodeElement).ToArray();
        fields[0] = RLP.EncodeElement([0x00, 0x07]); // nonce 7 written as 0x0007
        Assert.Contains("canonical", Assert.Throws<FormatException>(() => LegacyTransaction.Decode(List(fields))).Message);

        var typed = Fields(Eip1559Raw[1..]).Select(RLP.EncodeElement).ToArray();
        typed[1] = RLP.EncodeElement([0x00, 0x07]);
        Assert.Contains("canonical", Assert.Throws<FormatException>(() => Eip1559Transaction.Decode([0x02, .. List(typed)])).Message);
    }

    [Fact]
    public void ALongFormLengthForAShortStringIsRefused()
    {
        var fields = Fields(LegacyRaw).Select(RLP.EncodeElement).ToArray();
        fields[5] = [0xb8, 0x03, 1, 2, 3]; // data 0x010203 with a one-byte length although it is shorter than 56 bytes
        Assert.Throws<FormatException>(() => LegacyTransaction.Decode(List(fields)));
    }

    [Fact]
    public void TrailingBytesAndWrongFieldCountsAreRefused()
    {
        Assert.Throws<FormatException>(() => LegacyTransaction.Decode([.. LegacyRaw, 0x00]));
        Assert.Throws<FormatException>(() => Eip1559Transaction.Decode([.. Eip1559Raw, 0x80]));
        var fields = Fields(LegacyRaw).Select(RLP.EncodeElement).ToList();
        fields.Add(RLP.EncodeElement([]));
        Assert.Contains("9 fields", Assert.Throws<FormatException>(() => LegacyTransaction.Decode(List(fields))).Message);
    }

    [Fact]
    public void AToFieldOfTheWrongLengthAndAHighYParityAreRefused()
    {
        var fields = Fields(Eip1559Raw[1..]).Select(RLP.EncodeElement).ToArray();
        fields[5] = RLP.EncodeElement(new byte[19]);
        Assert.Contains("'to'", Assert.Throws<FormatException>(() => Eip1559Transaction.Decode([0x02, .. List(fields)])).Message);
        fields = Fields(Eip1559Raw[1..]).Select(RLP.EncodeElement).ToArray();
        fields[9] = RLP.EncodeElement([2]);
        Assert.Contains("y parity", Assert.Throws<FormatException>(() => Eip1559Transaction.Decode([0x02, .. List(fields)])).Message);
    }

    [Fact]
    public void CanonicalTransactionsDecodeToWhatWasSigned()
    {
        var legacy = LegacyTransaction.Decode(LegacyRaw);
        Assert.Equal(Key.Address, legacy.From);
        Assert.Equal((BigInteger)1337, legacy.Transaction.ChainId);
        Assert.Null(legacy.Transaction.To);
        var typed = Eip1559Transaction.Decode(Eip1559Raw);
        Assert.Equal(Key.Address, typed.From);
        Assert.Equal(7UL, typed.Transaction.Nonce);
        Assert.Equal([1, 2, 3], typed.Transaction.Data);
    }

    /// <summary>Single-byte changes and truncations of valid transactions: refused as FormatException or still canonical.</summary>
    [FsCheck.Xunit.Property(MaxTest = 400)]
    public bool MutatedTransactionsAreFormatExceptionsOrCanonical(bool legacy, int position, byte value, byte mode)
    {
        var raw = (legacy ? LegacyRaw : Eip1559Raw).ToArray();
        var at = Math.Abs(position % raw.Length);
        var input = (mode % 3) switch
        {
            0 => raw[..at],
            1 => [.. raw[..at], value, .. raw[at..]],
            _ => raw.Select((b, i) => i == at ? value : b).ToArray(),
        };
        return AcceptsOnlyCanonical(input, legacy);
    }

    [FsCheck.Xunit.Property(MaxTest = 400)]
    public bool RandomBytesNeverEscapeAsAnotherException(byte[] input, bool legacy) =>
        AcceptsOnlyCanonical(legacy ? input : [0x02, .. input], legacy);

    private static bool AcceptsOnlyCanonical(byte[] input, bool legacy)
    {
        try
        {
            var decoded = legacy ? LegacyTransaction.Decode(input) : Eip1559Transaction.Decode(input);
            return decoded.Raw.AsSpan().SequenceEqual(input);
        }
        catch (FormatException)
        {
            return true;
        }
    }
}
