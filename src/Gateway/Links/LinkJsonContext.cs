using System.Text.Json.Serialization;

namespace Gateway.Links;

[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class LinkJsonContext : JsonSerializerContext;
