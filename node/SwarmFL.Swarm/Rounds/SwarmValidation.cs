namespace SwarmFL.Swarm.Rounds;

/// <summary>One member's validation of a base model: its held-out accuracy, weighted by the samples it trains on.</summary>
public readonly record struct ValidationReport(double Accuracy, ulong Samples);

/// <summary>
/// The swarm's accuracy for a model: the sample-weighted mean of its members' validation reports (issue #7). The
/// authoritative reports are the metrics members commit on chain (each commit carries the member's held-out accuracy
/// of the round's base model, in parts per million, and its sample count); gossip carries the same reports earlier.
/// </summary>
public sealed record SwarmValidation(double Accuracy, int Reports, ulong Samples)
{
    /// <summary>The weighted mean, or null when there is nothing to weigh. A report of zero samples counts as one,
    /// so an empty member cannot make the mean undefined.</summary>
    public static SwarmValidation? Of(IEnumerable<ValidationReport> reports)
    {
        double weighted = 0, total = 0;
        var count = 0;
        ulong samples = 0;
        foreach (var report in reports)
        {
            if (double.IsNaN(report.Accuracy)) continue;
            var weight = Math.Max(1UL, report.Samples);
            weighted += Math.Clamp(report.Accuracy, 0, 1) * weight;
            total += weight;
            samples += report.Samples;
            count++;
        }
        return count == 0 ? null : new SwarmValidation(weighted / total, count, samples);
    }

    /// <summary>The swarm's accuracy of a round's base model(s), from the round's commits on chain.</summary>
    public static SwarmValidation? FromCommits(IEnumerable<CommittedModel> commits) =>
        Of(commits.Select(c => new ValidationReport(c.MetricPpm / 1_000_000.0, c.Samples)));
}
