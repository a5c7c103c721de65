using System.Security.Cryptography;
using System.Text;
using SwarmFL.Learning.Data;

namespace SwarmFL.Learning.Tests.Data;

public class DataSpecTests
{
    private static readonly byte[] ModelHash = SHA256.HashData("a model"u8);

    private static DataSpec Fitted()
    {
        var data = Dataset.Classification([1, 10, 3, 30, 5, 50, 7, 70], [2], [0, 1, 1, 0], ["no", "yes"]);
        return DataSpec.Fit(data, "standard", "roc-auc", ModelHash);
    }

    [Fact]
    public void TheDefaultSpecPinsTheModelHashUnchanged()
    {
        Assert.True(DataSpec.Mnist.IsDefault);
        Assert.Equal(ModelHash, DataSpec.Mnist.PinnedHash(ModelHash));
        Assert.Equal(ModelHash, DataSpec.Mnist.ModelHashPinnedBy(ModelHash));
    }

    [Fact]
    public void AFittedSpecIsPinnedByItsCanonicalHashAndNamesItsModel()
    {
        var spec = Fitted();
        Assert.False(spec.IsDefault);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(spec.Canonical())), spec.PinnedHash(ModelHash));
        Assert.Equal(ModelHash, spec.ModelHashPinnedBy(spec.Hash()));
        Assert.Throws<FormatException>(() => spec.PinnedHash(SHA256.HashData("another model"u8)));
        Assert.Throws<FormatException>(() => spec.ModelHashPinnedBy(ModelHash));
        Assert.StartsWith("{\"classes\":[\"no\",\"yes\"],\"format\":\"swarmfl-data/1\",\"input\":[2],\"metric\":\"roc-auc\",\"model\":\"0x", spec.Canonical());
    }

    [Fact]
    public void TheWrittenFileReadsBackToTheSameHashAndBadFilesAreRefused()
    {
        var spec = Fitted();
        Assert.Equal(spec.Hash(), DataSpec.FromJson(spec.ToJson(), "spec.json").Hash());
        Assert.Throws<DataFileException>(() => DataSpec.FromJson(spec.ToJson().Replace("\"task\"", "\"tusk\""), "spec.json"));
        Assert.Throws<DataFileException>(() => DataSpec.FromJson(spec.ToJson().Replace("roc-auc", "mse"), "spec.json"));
        Assert.Throws<DataFileException>(() => DataSpec.FromJson("{", "spec.json"));
        var regression = DataSpec.Fit(Dataset.Regression([1, 2, 3], [1], [10, 20, 30]), "minmax", null, ModelHash);
        Assert.Equal("r2", regression.Metric);
        Assert.Equal(20, regression.Target!.Shift, 1e-6);
        Assert.Equal(DataSpec.FromJson(regression.ToJson(), "r.json").Hash(), regression.Hash());
    }
}
