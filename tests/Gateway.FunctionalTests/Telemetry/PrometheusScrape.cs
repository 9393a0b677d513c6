using System.Globalization;
using System.Text;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>The samples of a Prometheus text-format scrape: name, labels and value of each line.</summary>
internal sealed class PrometheusScrape
{
    private PrometheusScrape(List<Sample> samples) => Samples = samples;

    public List<Sample> Samples { get; }

    public IEnumerable<string> Names => Samples.Select(s => s.Name).Distinct(StringComparer.Ordinal);

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var i = 0;
            while (i < line.Length && line[i] != '{' && line[i] != ' ')
            {
                i++;
            }

            var name = line[..i];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (i < line.Length && line[i] == '{')
            {
                i++;
                while (line[i] != '}')
                {
                    var equals = line.IndexOf('=', i);
                    var label = line[i..equals].Trim(',', ' ');
                    i = equals + 2;
                    var labelValue = new StringBuilder();
                    while (line[i] != '"')
                    {
                        if (line[i] == '\\')
                        {
                            i++;
                            labelValue.Append(line[i] == 'n' ? '\n' : line[i]);
                        }
                        else
                        {
                            labelValue.Append(line[i]);
                        }

                        i++;
                    }

                    labels[label] = labelValue.ToString();
                    i++;
                    if (line[i] == ',')
                    {
                        i++;
                    }
                }

                i++;
            }

            var valueText = line[(i + 1)..].Split(' ')[0];
            var value = valueText switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.Parse(valueText, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(name, labels, value));
        }

        return new PrometheusScrape(samples);
    }

    public double Sum(string name, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
        Samples.Where(s => s.Name == name && (where is null || where(s.Labels))).Sum(s => s.Value);

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
