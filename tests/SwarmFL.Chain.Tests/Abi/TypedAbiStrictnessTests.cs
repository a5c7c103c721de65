using System.Text;
using Nethereum.ABI.FunctionEncoding;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;
using Gen = SwarmFL.Chain.Contracts.Generated.SwarmCoordinator.ContractDefinition;

namespace SwarmFL.Chain.Tests.Abi;

/// <summary>
/// The generated DTOs are filled by Nethereum's decoder, which is lenient; <see cref="TypedAbi"/> checks the bytes with
/// our strict decoder first. The cases show what Nethereum alone does with malformed data that the typed path refuses.
/// </summary>
public class TypedAbiStrictnessTests
{
    private static byte[] Word(byte fill, byte last) { var w = new byte[32]; w.AsSpan(0, 31).Fill(fill); w[31] = last; return w; }

    private static void NethereumAloneAccepts<TOutput>(byte[] output) where TOutput : new() =>
        new FunctionCallDecoder().DecodeFunctionOutput<TOutput>(Hex.Encode(output));

    [Fact]
    public void AnAddressWithDirtyHighBytesIsRefused()
    {
        var output = new byte[32];
        output[0] = 0xff; // the 12 high bytes of an address word must be zero
        output[31] = 0x01;
        NethereumAloneAccepts<Gen.CreatorOutputDTO>(output);
        var e = Assert.Throws<FormatException>(() => TypedAbi.DecodeOutput<Gen.CreatorOutputDTO>(SwarmCoordinatorAbi.Creator, output));
        Assert.Contains("high bytes", e.Message);
    }

    [Fact]
    public void ABoolOfTwoIsRefused()
    {
        var output = Word(0, 2);
        NethereumAloneAccepts<Gen.IsMemberOutputDTO>(output);
        Assert.Contains("not 0 or 1", Assert.Throws<FormatException>(() => TypedAbi.DecodeOutput<Gen.IsMemberOutputDTO>(SwarmCoordinatorAbi.IsMember, output)).Message);
    }

    [Fact]
    public void AUint8Of0x1ffIsRefused()
    {
        var output = new byte[32];
        output[30] = 0x01;
        output[31] = 0xff;
        // Nethereum alone fails here too, but with an OverflowException from the byte property, not a decoding error.
        Assert.Throws<OverflowException>(() => NethereumAloneAccepts<Gen.PhaseOutputDTO>(output));
        Assert.Contains("does not fit uint8", Assert.Throws<FormatException>(() => TypedAbi.DecodeOutput<Gen.PhaseOutputDTO>(SwarmCoordinatorAbi.Phase, output)).Message);
    }

    [Fact]
    public void AStringWhoseLengthRunsPastTheDataIsRefused()
    {
        var valid = AbiEncoder.Encode(SwarmCoordinatorAbi.MemberInfo.OutputTypes, [new byte[37], "/ip4/127.0.0.1/tcp/1", new byte[32], false, true]);
        // The multiaddr's length word: head (5 words) + peerId tail (length word + 2 words) = word 8.
        var broken = valid.ToArray();
        broken[8 * 32 + 31] = 0x30; // 48 bytes claimed, 20 present plus 12 of padding
        Assert.Throws<FormatException>(() => TypedAbi.DecodeOutput<Gen.MemberInfoOutputDTO>(SwarmCoordinatorAbi.MemberInfo, broken));
        Assert.Equal("/ip4/127.0.0.1/tcp/1", TypedAbi.DecodeOutput<Gen.MemberInfoOutputDTO>(SwarmCoordinatorAbi.MemberInfo, valid).Multiaddr);
    }

    [Fact]
    public void EventsAreCheckedBeforeTheDtoIsFilled()
    {
        var abi = SwarmCoordinatorAbi.RoundOpened;
        var roundTopic = AbiEncoder.Encode(AbiType.UInt(64), 3UL);
        var data = AbiEncoder.Encode(abi.Parameters.Where(p => !p.Indexed).Select(p => p.Type).ToArray(), [100UL, 4U, 1U]);
        var decoded = TypedAbi.DecodeEvent<Gen.RoundOpenedEventDTO>([abi.Topic0, roundTopic], data);
        Assert.Equal((3UL, 100UL, 4U, 1U), (decoded.Round, decoded.Deadline, decoded.MemberCount, decoded.ClusterCount));
        var dirtyRound = roundTopic.ToArray();
        dirtyRound[0] = 1; // a uint64 topic with bits above 64
        Assert.Throws<FormatException>(() => TypedAbi.DecodeEvent<Gen.RoundOpenedEventDTO>([abi.Topic0, dirtyRound], data));
        Assert.Throws<FormatException>(() => TypedAbi.DecodeEvent<Gen.RoundOpenedEventDTO>([abi.Topic0], data));
        Assert.Throws<FormatException>(() => TypedAbi.DecodeEvent<Gen.RoundOpenedEventDTO>([abi.Topic0, roundTopic], data[..^1]));
    }

    /// <summary>
    /// Corrupted MemberRegistered logs: whatever passes the strict check, Nethereum fills into the DTO with exactly the
    /// values the strict decoder read, so the two layers never disagree about what a log says.
    /// </summary>
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool CorruptedLogsAreRefusedOrDecodeAlikeInBothLayers(int seed, byte[] noise, int position)
    {
        var random = new Random(seed);
        var abi = SwarmCoordinatorAbi.MemberRegistered;
        var member = new byte[32];
        random.NextBytes(member.AsSpan(12));
        var peerId = new byte[random.Next(0, 80)];
        random.NextBytes(peerId);
        var multiaddr = new string('a', random.Next(0, 70)) + "/é";
        var ringId = new byte[32];
        random.NextBytes(ringId);
        var data = AbiEncoder.Encode(abi.Parameters.Where(p => !p.Indexed).Select(p => p.Type).ToArray(), [peerId, multiaddr, ringId, (ulong)random.NextInt64()]);
        var topics = new List<byte[]> { abi.Topic0, member.ToArray() };
        if (noise.Length > 0)
        {
            var target = position % 3 == 0 ? topics[1] : data;
            var at = Math.Abs(position % target.Length);
            noise.AsSpan(0, Math.Min(noise.Length, target.Length - at)).CopyTo(target.AsSpan(at));
        }
        object?[] strict;
        try
        {
            strict = abi.Decode(topics, data);
        }
        catch (FormatException)
        {
            return Throws(() => TypedAbi.DecodeEvent<Gen.MemberRegisteredEventDTO>(topics, data));
        }
        var dto = TypedAbi.DecodeEvent<Gen.MemberRegisteredEventDTO>(topics, data);
        return EthereumAddress.Parse(dto.Member) == (EthereumAddress)strict[0]!
               && dto.PeerId.AsSpan().SequenceEqual((byte[])strict[1]!)
               && dto.Multiaddr == (string)strict[2]!
               && dto.RingId.AsSpan().SequenceEqual((byte[])strict[3]!)
               && dto.EffectiveRound == (ulong)(System.Numerics.BigInteger)strict[4]!;
    }

    private static bool Throws(Action action)
    {
        try
        {
            action();
            return false;
        }
        catch (FormatException)
        {
            return true;
        }
    }
}
