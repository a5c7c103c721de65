using SwarmFL.Learning.Data.Csv;
using SwarmFL.Learning.Data.Images;
using SwarmFL.Learning.Data.Npz;

namespace SwarmFL.Learning.Data;

/// <summary>The one entry point from a <see cref="DataSource"/> to a <see cref="Dataset"/>, whatever the format.</summary>
public static class DatasetReader
{
    /// <summary>
    /// Reads the dataset. <paramref name="mnistSplit"/> picks train or t10k for an MNIST folder (other formats hold one
    /// split per path; their test set is a second path, <c>--test-data</c>).
    /// </summary>
    public static Dataset Load(DataSource source, MnistSplit mnistSplit = MnistSplit.Train)
    {
        var format = source.ResolvedFormat;
        if (format == DataFormat.Mnist && source.Task != LearningTaskKind.Classification)
            throw new DataFileException(source.Path, "MNIST is a classification dataset; drop --task regression or use another --data");
        return format switch
        {
            DataFormat.Mnist => MnistDataset.Load(source.Path, mnistSplit).ToDataset(),
            DataFormat.Csv => CsvDatasetReader.Read(source),
            DataFormat.Npz => NpzDatasetReader.Read(source),
            _ => ImageFolderReader.Read(source),
        };
    }
}
