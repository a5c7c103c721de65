using System.Text.RegularExpressions;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Devnet;

/// <summary>
/// The shell scripts every user runs first (issue #11): under <c>pipefail</c> a pipe whose reader stops early can kill its
/// writer with SIGPIPE, and the script then ended with status 141 and no message about one run in four.
/// </summary>
public sealed class ShellScriptTests
{
    private static string Strict => Path.Combine(RepoPaths.Root, "devnet", "lib", "strict.sh");

    /// <summary>Every bash script of the repository that users, CI or benchmarks run.</summary>
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var path in ScriptPaths()) data.Add(Path.GetRelativePath(RepoPaths.Root, path));
        return data;
    }

    private static IEnumerable<string> ScriptPaths()
    {
        var roots = new[] { "devnet", "tests", ".ci", "examples" }.Select(d => Path.Combine(RepoPaths.Root, d)).Where(Directory.Exists);
        return roots.SelectMany(r => Directory.EnumerateFiles(r, "*", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}")
                        && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !p.Contains($"{Path.DirectorySeparatorChar}runs{Path.DirectorySeparatorChar}")
                        && !p.Contains($"{Path.DirectorySeparatorChar}.state{Path.DirectorySeparatorChar}"))
            .Where(IsBash)
            .OrderBy(p => p, StringComparer.Ordinal);
    }

    private static bool IsBash(string path)
    {
        if (path.EndsWith(".sh", StringComparison.Ordinal)) return true;
        if (new FileInfo(path).Length > 1_000_000) return false;
        using var reader = new StreamReader(path);
        var first = reader.ReadLine() ?? "";
        return first.StartsWith("#!", StringComparison.Ordinal) && first.Contains("bash", StringComparison.Ordinal);
    }

    // A reader that can stop before its writer: head, grep -q / -m / -l, sed …q, awk … exit.
    private static readonly Regex EarlyReader = new(
        @"\|\s*(head\b|grep\s+(-\w*[qlm]\w*)\b|sed\s+(-n\s+)?['""]?\d*q|awk\b[^|]*\bexit\b)", RegexOptions.Compiled);

    [Fact]
    public void The_script_list_is_not_empty()
    {
        var scripts = ScriptPaths().Select(p => Path.GetRelativePath(RepoPaths.Root, p)).ToList();
        Assert.Contains("devnet/bootstrap", scripts);
        Assert.Contains("devnet/swarmfl", scripts);
        Assert.Contains("tests/run", scripts);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void No_pipeline_has_a_reader_that_can_stop_before_its_writer(string script)
    {
        var offenders = File.ReadAllLines(Path.Combine(RepoPaths.Root, script))
            .Select((line, i) => (line, number: i + 1))
            .Where(l => !l.line.TrimStart().StartsWith('#') && EarlyReader.IsMatch(StripHereStrings(l.line)))
            .Select(l => $"{script}:{l.number}: {l.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0,
            "a pipe's reader may stop before its writer (SIGPIPE, status 141 under pipefail); read everything instead:\n" + string.Join('\n', offenders));
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Every_strict_script_says_why_it_stops(string script)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, script));
        // tests/run deliberately runs without -e (every suite runs, the summary counts failures), strict.sh is the rule.
        if (script is "tests/run" or "devnet/lib/strict.sh") return;
        Assert.True(text.Contains("devnet/lib/strict.sh", StringComparison.Ordinal) || !Regex.IsMatch(text, @"^set -\w*e", RegexOptions.Multiline),
            $"{script} stops on errors but does not source devnet/lib/strict.sh, so a failure would end it without a reason");
    }

    private static string StripHereStrings(string line) => Regex.Replace(line, @"<<<\s*""[^""]*""", "");

    [Fact]
    public async Task A_failing_command_is_named_with_its_line_and_status()
    {
        var script = WriteScript($". '{Strict}'\ntrue\nls /no/such/dir/swarmfl >/dev/null 2>&1\necho unreachable\n");
        var run = await RunAsUserAsync("bash", script);
        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("unreachable", run.StdOut);
        Assert.Matches(@"script.sh: stopped at line 4: `ls /no/such/dir/swarmfl[^`]*` exited with status 2", run.StdErr);
    }

    [Fact]
    public async Task A_sigpipe_stop_says_what_happened_instead_of_a_silent_141()
    {
        // `yes` never ends by itself, so head always closes the pipe early: the very failure issue #11 saw at random.
        var script = WriteScript($". '{Strict}'\nfirst=\"$(yes | head -1)\"\necho \"$first\"\n");
        var run = await RunAsUserAsync("bash", script);
        Assert.Equal(141, run.ExitCode);
        Assert.Contains("SIGPIPE", run.StdErr);
        Assert.Contains("line 3", run.StdErr);
    }

    /// <summary>The launcher, run as a user runs it, many times in a row: a timing-dependent failure shows up here.</summary>
    [Fact]
    public async Task The_launcher_exits_0_on_100_runs_in_a_row()
    {
        RepoPaths.RequireNodeModules();
        var launcher = Path.Combine(RepoPaths.Root, "devnet", "swarmfl");
        var failures = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var run = await RunAsUserAsync(launcher, "version");
            if (run.ExitCode != 0 || run.StdOut.Trim().Length == 0)
                failures.Add($"run {i + 1}: exit {run.ExitCode}, stdout '{run.StdOut.Trim()}', stderr '{run.StdErr.Trim()}'");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of 100 runs failed:\n{string.Join('\n', failures)}");
    }

    /// <summary>
    /// Runs a command with SIGPIPE at its default action, as in a user's terminal. The test host (dotnet) ignores SIGPIPE
    /// and children inherit that, so without this a cut-off writer would fail with EPIPE instead of dying of SIGPIPE.
    /// </summary>
    private static Task<ProcessResult> RunAsUserAsync(string command, params string[] args) =>
        ProcessRunner.RunAsync("env", ["--default-signal=PIPE", command, .. args]);

    private static string WriteScript(string body)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("swarmfl-sh").FullName, "script.sh");
        File.WriteAllText(path, "#!/usr/bin/env bash\n" + body);
        return path;
    }
}
