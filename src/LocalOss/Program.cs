using LocalOss.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddLocalOssFromConfiguration();

var app = builder.Build();
app.MapLocalOss();
await app.RunAsync();
