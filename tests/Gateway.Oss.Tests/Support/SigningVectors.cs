using System.Text.Json;

namespace Gateway.Oss.Tests.Support;

/// <summary>Loads the vectors once and exposes their ids as theory data, so each vector is its own test case.</summary>
internal static class SigningVectors
{
    private static readonly Lazy<IReadOnlyDictionary<string, SigningVector>> All = new(Load);

    public static IReadOnlyCollection<SigningVector> Values => [.. All.Value.Values];

    public static TheoryData<string> AllIds => Ids(static _ => true);

    public static TheoryData<string> V4HeaderIds => Ids(static v => v.Version == "v4" && v.IsHeaderForm);

    public static TheoryData<string> V4QueryIds => Ids(static v => v.Version == "v4" && !v.IsHeaderForm);

    public static TheoryData<string> V1HeaderIds => Ids(static v => v.Version == "v1" && v.IsHeaderForm);

    public static TheoryData<string> V1QueryIds => Ids(static v => v.Version == "v1" && !v.IsHeaderForm);

    public static SigningVector Get(string id) => All.Value[id];

    private static TheoryData<string> Ids(Func<SigningVector, bool> predicate)
    {
        var data = new TheoryData<string>();
        foreach (var vector in All.Value.Values)
        {
            if (predicate(vector))
            {
                data.Add(vector.Id);
            }
        }

        return data;
    }

    private static Dictionary<string, SigningVector> Load()
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Vectors", "vectors.json"));
        using var document = JsonDocument.Parse(stream);
        var vectors = new Dictionary<string, SigningVector>(StringComparer.Ordinal);
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var vector = SigningVector.Parse(element);
            vectors.Add(vector.Id, vector);
        }

        return vectors;
    }
}
