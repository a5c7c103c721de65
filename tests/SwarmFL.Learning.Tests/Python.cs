namespace SwarmFL.Learning.Tests;

/// <summary>Finds a python3 that can import numpy (Debian's /usr/bin/python3 with python3-numpy, which devnet/bootstrap installs).</summary>
internal static class Python
{
    public static string WithNumpy()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var result = SwarmFL.TestSupport.ProcessRunner.RunAsync(candidate, ["-c", "import numpy"]).GetAwaiter().GetResult();
                if (result.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        throw new InvalidOperationException("no python3 with numpy found: install Debian's python3-numpy (devnet/bootstrap does this)");
    }

    /// <summary>A python3 that can import torch and numpy (Debian's python3-torch, which tests/install-tools installs).</summary>
    public static string WithTorch()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var result = SwarmFL.TestSupport.ProcessRunner.RunAsync(candidate, ["-c", "import torch, numpy"]).GetAwaiter().GetResult();
                if (result.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        throw new InvalidOperationException("no python3 with torch found: install Debian's python3-torch (tests/install-tools does this)");
    }
}
