namespace LocalOss.Tests.Infrastructure;

/// <summary>Gives each test (xunit creates a class instance per test) its own LocalOss.</summary>
public abstract class LocalOssTest : IAsyncLifetime
{
    private TestServer? _server;

    internal TestServer Server => _server ?? throw new InvalidOperationException("The server starts in InitializeAsync.");

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(Configure);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Adjusts the options before the server starts.</summary>
    protected virtual void Configure(LocalOssOptions options)
    {
    }
}
