using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Learning.Data;

namespace SwarmFL.Learning.Tests.Data;

public class CsvDatasetReaderTests
{
    private static Dataset Read(string path, string? label = null, LearningTaskKind task = LearningTaskKind.Classification, IReadOnlyList<string>? classes = null) =>
        DatasetReader.Load(new DataSource { Path = path, LabelColumn = label, Task = task, ClassNames = classes });

    private static DataFileException Refused(string text, string? label = null, LearningTaskKind task = LearningTaskKind.Classification)
    {
        using var folder = new TempFolder();
        var path = folder.File("data.csv", text);
        var e = Assert.Throws<DataFileException>(() => Read(path, label, task));
        Assert.Equal(path, e.File);
        Assert.StartsWith(path, e.Message);
        return e;
    }

    [Fact]
    public void ReadsFeaturesAsTheyAreAndNumbersStringClassesInSortedOrder()
    {
        using var folder = new TempFolder();
        var path = folder.File("iris.csv", "sepal,petal,species\n5.1,1.4,setosa\n6.2,4.5,versicolor\n\"5.9\",5.1,virginica\n4.9,1.5,setosa\n");
        var data = Read(path);
        Assert.Equal(DataFormat.Csv, DataFormats.Detect(path));
        Assert.Equal([2], data.SampleShape);
        Assert.Equal([5.1f, 1.4f, 6.2f, 4.5f, 5.9f, 5.1f, 4.9f, 1.5f], data.Features);
        Assert.Equal(["setosa", "versicolor", "virginica"], data.ClassNames);
        Assert.Equal([0, 1, 2, 0], data.Labels);
        Assert.Equal(["sepal", "petal"], data.FeatureNames);
    }

    [Fact]
    public void IntegerLabelsAreTheirOwnIndexAndLabelCanBeAnyColumn()
    {
        using var folder = new TempFolder();
        var path = folder.File("d.csv", "y,a,b\n2,1,2\n0,3,4\n");
        var data = Read(path, label: "y");
        Assert.Equal(["0", "1", "2"], data.ClassNames);
        Assert.Equal([2, 0], data.Labels);
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
    }

    [Fact]
    public void PinnedClassesNumberAShareThatLacksAClassLikeEveryoneElse()
    {
        using var folder = new TempFolder();
        var path = folder.File("d.csv", "a,c\n1,virginica\n2,setosa\n");
        var data = Read(path, classes: ["setosa", "versicolor", "virginica"]);
        Assert.Equal([2, 0], data.Labels);
        var e = Assert.Throws<DataFileException>(() => Read(folder.File("e.csv", "a,c\n1,rose\n"), classes: ["setosa"]));
        Assert.Equal(2, e.Row);
        Assert.Contains("rose", e.Message);
    }

    [Fact]
    public void ReadsTabSeparatedFilesAndRegressionTargets()
    {
        using var folder = new TempFolder();
        var path = folder.File("d.tsv", "x1\tx2\tprice\n1\t2\t3.5\n4\t5\t-6.25\n");
        var data = Read(path, task: LearningTaskKind.Regression);
        Assert.False(data.IsClassification);
        Assert.Equal([3.5f, -6.25f], data.Targets);
        Assert.Equal([1f, 2f, 4f, 5f], data.Features);
    }

    [Fact]
    public void ARaggedRowIsRefusedNamingTheRow()
    {
        var e = Refused("a,b,y\n1,2,0\n3,4\n");
        Assert.Equal(3, e.Row);
        Assert.Contains("2 cells, the header 3", e.Message);
    }

    [Fact]
    public void AMissingValueIsRefusedNamingRowAndColumn()
    {
        var e = Refused("a,b,y\n1,2,0\n3,,1\n");
        Assert.Equal((3L, "b"), (e.Row!.Value, e.Column));
        Assert.Contains("missing", e.Message);
        Assert.Contains("row 3, column b", e.Message);
    }

    [Fact]
    public void AValueThatDoesNotParseIsRefusedNamingRowAndColumn()
    {
        var e = Refused("a,b,y\n1,2,0\n3,4x,1\n");
        Assert.Equal((3L, "b"), (e.Row!.Value, e.Column));
        Assert.Contains("'4x' is not a finite number", e.Message);
        Assert.Equal("a", Refused("a,b,y\n1,2,0\nNaN,4,1\n").Column);
    }

    [Fact]
    public void ATextFeatureColumnIsRefusedNamingTheColumn()
    {
        var e = Refused("age,city,y\n31,Paris,0\n40,Rome,1\n");
        Assert.Equal("city", e.Column);
        Assert.Contains("column 'city' is not numeric", e.Message);
    }

    [Fact]
    public void OtherBadFilesAreRefusedWithWhatToDo()
    {
        Assert.Contains("no column 'z' for --label", Refused("a,y\n1,0\n", label: "z").Message);
        Assert.Contains("no data rows", Refused("a,y\n").Message);
        Assert.Contains("label is missing", Refused("a,y\n1,0\n2,\n").Message);
        Assert.Contains("at least one feature", Refused("y\n1\n").Message);
        Assert.Equal(1, Refused("a,a,y\n1,2,0\n").Row);
        Assert.Equal("y", Refused("a,y\n1,0\n2,cheap\n", task: LearningTaskKind.Regression).Column);
        using var folder = new TempFolder();
        Assert.Throws<DataFileException>(() => Read(Path.Combine(folder.Path, "absent.csv")));
    }

    /// <summary>Any finite float32 matrix written with round-trip formatting reads back bit for bit.</summary>
    [FsCheck.Xunit.Property(MaxTest = 60)]
    public Property RandomMatricesRoundTrip() =>
        Prop.ForAll(Gen.Choose(1, 6).SelectMany(f => Gen.Choose(1, 20).SelectMany(n =>
                Gen.ArrayOf(ArbMap.Default.GeneratorFor<float>().Where(float.IsFinite), n * (f + 1)).Select(v => (f, n, v)))).ToArbitrary(),
            t =>
            {
                var (f, n, v) = t;
                var text = new StringBuilder(string.Join(",", Enumerable.Range(0, f).Select(i => $"x{i}")) + ",target\n");
                for (var r = 0; r < n; r++)
                    text.Append(string.Join(",", v.Skip(r * (f + 1)).Take(f + 1).Select(x => x.ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
                using var folder = new TempFolder();
                var data = Read(folder.File("m.csv", text.ToString()), task: LearningTaskKind.Regression);
                var features = Enumerable.Range(0, n).SelectMany(r => v.Skip(r * (f + 1)).Take(f)).ToArray();
                var targets = Enumerable.Range(0, n).Select(r => v[r * (f + 1) + f]).ToArray();
                return data.Features.SequenceEqual(features) && data.Targets!.SequenceEqual(targets) && data.Count == n;
            });

    /// <summary>One bad cell anywhere in a valid file is reported at exactly its row and column.</summary>
    [FsCheck.Xunit.Property(MaxTest = 60)]
    public Property ABadCellIsReportedWhereItIs() =>
        Prop.ForAll(Gen.Choose(2, 5).SelectMany(cols => Gen.Choose(2, 12).SelectMany(rows =>
                Gen.Choose(0, rows - 1).SelectMany(r => Gen.Choose(0, cols - 1).SelectMany(c =>
                    Gen.Elements("", "abc", "1.2.3", "inf", "--1").Select(bad => (cols, rows, r, c, bad)))))).ToArbitrary(),
            t =>
            {
                var (cols, rows, badRow, badColumn, bad) = t;
                var text = new StringBuilder(string.Join(",", Enumerable.Range(0, cols).Select(i => $"c{i}")) + "\n");
                for (var r = 0; r < rows; r++)
                    text.Append(string.Join(",", Enumerable.Range(0, cols).Select(c => r == badRow && c == badColumn ? bad : (r * cols + c).ToString(CultureInfo.InvariantCulture)))).Append('\n');
                using var folder = new TempFolder();
                var path = folder.File("m.csv", text.ToString());
                try { Read(path, task: LearningTaskKind.Regression); return false; }
                catch (DataFileException e) { return e.Row == badRow + 2 && e.Column == $"c{badColumn}" && e.File == path; }
            });
}
