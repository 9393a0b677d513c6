var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
await app.RunAsync();

/// <summary>Entry point; public so the functional tests can host the app.</summary>
public partial class Program;
