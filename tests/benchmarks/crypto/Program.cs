// secp256k1 operations per second on one thread, BouncyCastle (before) against NBitcoin.Secp256k1 (after, what
// SwarmFL.Crypto.Secp256k1 runs on now), on the same keys and hashes; first checks that both give the same signatures.
// Usage: dotnet run -c Release --project tests/benchmarks/crypto -- [SECONDS_PER_OPERATION]
using System.Security.Cryptography;
using Secp256k1Bench;
using SwarmFL.Benchmarks;
using SwarmFL.Crypto;

var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
const int Keys = 256;
var keys = Enumerable.Range(0, Keys).Select(_ => NodeKey.Generate()).ToArray();
var privates = keys.Select(k => Hex.Decode(k.PrivateKeyHex())).ToArray();
var hashes = keys.Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
var signatures = keys.Select((_, i) => Secp256k1.Sign(privates[i], hashes[i])).ToArray();

var same = 0;
for (var i = 0; i < Keys; i++)
{
    var before = BouncyCastleSecp256k1.Sign(privates[i], hashes[i]);
    if (before == signatures[i] && BouncyCastleSecp256k1.Recover(hashes[i], before).AsSpan().SequenceEqual(Secp256k1.Recover(hashes[i], signatures[i]))) same++;
}
Console.WriteLine($"identical signatures, recovery ids and recovered keys: {same} of {Keys}");
if (same != Keys) return 1;

var rows = new (string Name, Action<int> Before, Action<int> After)[]
{
    ("sign with recovery id", i => BouncyCastleSecp256k1.Sign(privates[i], hashes[i]), i => Secp256k1.Sign(privates[i], hashes[i])),
    ("sign (libp2p, no recovery id)", i => BouncyCastleSecp256k1.SignWithoutRecoveryId(privates[i], hashes[i]), i => Secp256k1.SignWithoutRecoveryId(privates[i], hashes[i])),
    ("verify", i => Require(BouncyCastleSecp256k1.Verify(keys[i].CompressedPublicKey, hashes[i], signatures[i])), i => Require(Secp256k1.Verify(keys[i].CompressedPublicKey, hashes[i], signatures[i]))),
    ("recover", i => BouncyCastleSecp256k1.Recover(hashes[i], signatures[i]), i => Secp256k1.Recover(hashes[i], signatures[i])),
};
Console.WriteLine($"load average before: {BeforeAfter.LoadAverage()}; {seconds} s per operation and implementation in alternating 100 ms slices, one thread");
Console.WriteLine("| operation | BouncyCastle (before) ops/s | NBitcoin.Secp256k1 (after) ops/s | ratio |");
Console.WriteLine("|---|---|---|---|");
foreach (var (name, before, after) in rows)
{
    var (b, a) = BeforeAfter.Interleaved(before, after, seconds, Keys);
    Console.WriteLine($"| {name} | {b:F0} | {a:F0} | {a / b:F1}× |");
}
Console.WriteLine($"load average after: {BeforeAfter.LoadAverage()}");
return 0;

static void Require(bool ok) { if (!ok) throw new InvalidOperationException("a valid signature did not verify"); }
