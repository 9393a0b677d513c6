using Gateway.Demo;

namespace Gateway.Tests.Demo;

public sealed class DemoInstructionsTests
{
    private static readonly DemoSettings Settings = new(9123, "gwk_demo_0123456789abcdef", "LTAIdemo0123", "secret");

    [Fact]
    public void The_console_url_is_printed_right_after_the_admin_key()
    {
        var lines = DemoHost.Instructions("http://localhost:5000", Settings, "/data", consoleEnabled: true).Split('\n').Select(line => line.TrimEnd('\r')).ToArray();

        var key = Array.FindIndex(lines, line => line.Trim() == Settings.AdminKey);
        Assert.True(key > 0, "the admin key is printed on a line of its own");
        Assert.Equal("", lines[key + 1].Trim());
        Assert.Equal("Web console (sign in with that key):", lines[key + 2].Trim());
        Assert.Equal("http://localhost:5000/console/", lines[key + 3].Trim());
        Assert.Contains(lines, line => line.Trim() == "curl -fsS http://localhost:5000/welcome");
    }

    [Fact]
    public void Without_the_console_no_console_url_is_printed()
    {
        var text = DemoHost.Instructions("http://localhost:5000", Settings, "/data", consoleEnabled: false);

        Assert.DoesNotContain("/console", text, StringComparison.Ordinal);
        Assert.Contains(Settings.AdminKey, text, StringComparison.Ordinal);
    }
}
