using System.Buffers.Binary;
using SwarmFL.Node.Devnet;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Tests.Devnet;

public sealed class AccuracyPlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-devnet-plot").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RoundResultFile Record(long round, double local, double merged) =>
        new() { Round = (ulong)round, Cluster = 0, Role = "Member", LocalTestAccuracy = local, SemiGlobalTestAccuracy = merged, Samples = 10 };

    [Fact]
    public void Writes_a_png_of_the_requested_size_and_more_lines_give_a_different_picture()
    {
        var results = RunResults.Merge(
        [
            ("node-0", null, [Record(1, 0.80, 0.86), Record(2, 0.85, 0.90), Record(3, 0.88, 0.92)]),
            ("node-1", null, [Record(1, 0.78, 0.86), Record(2, 0.84, 0.90), Record(3, 0.87, 0.92)]),
        ]);
        var path = Path.Combine(_dir, "accuracy.png");
        AccuracyPlot.Write(results, [new BaselineResult(0, 100, 3, 0.84, 1), new BaselineResult(1, 100, 3, 0.83, 1)], path, 800, 500);

        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 2000, $"only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(500, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));

        var withoutBaselines = Path.Combine(_dir, "plain.png");
        AccuracyPlot.Write(results, [], withoutBaselines, 800, 500);
        Assert.NotEqual(bytes, File.ReadAllBytes(withoutBaselines));
    }

    [Fact]
    public void An_empty_run_still_gives_a_valid_png()
    {
        var path = Path.Combine(_dir, "empty.png");
        AccuracyPlot.Write(new RunResults { Rounds = [] }, [], path);
        Assert.Equal(0x89, File.ReadAllBytes(path)[0]);
    }
}
