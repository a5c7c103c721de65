using FsCheck;
using FsCheck.Fluent;

namespace SwarmFL.Ring.Tests.Identifiers;

internal static class Generators
{
    public static Arbitrary<byte[]> Bytes(int length) =>
        Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(length).ToArbitrary();
}
