package dev.switchyard.node.http;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A scrape in the Prometheus text format (0.0.4), parsed as Prometheus reads it: {@code # TYPE}
 * lines and samples {@code name{label="value",...} number}. Samples are looked up with their labels
 * in any order.
 */
public final class PrometheusText
{
    private final Map<String, Double> samples = new HashMap<>();
    private final Map<String, String> types = new HashMap<>();

    public static PrometheusText parse(final String text)
    {
        final PrometheusText out = new PrometheusText();
        for (final String raw : text.split("\n"))
        {
            final String line = raw.strip();
            if (line.startsWith("# TYPE "))
            {
                final String[] words = line.split(" ");
                out.types.put(words[2], words[3]);
                continue;
            }
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int close = line.lastIndexOf('}');
            final int split = line.indexOf(' ', Math.max(close, 0));
            if (split < 0)
            {
                throw new AssertionError("not a sample line: " + line);
            }
            final String key = canonical(line.substring(0, split));
            final String[] rest = line.substring(split + 1).strip().split(" ");
            if (out.samples.put(key, Double.parseDouble(rest[0])) != null)
            {
                throw new AssertionError("sample " + key + " appears twice");
            }
        }
        return out;
    }

    /** {@code name{b="2",a="1"}} as {@code name{a="1",b="2"}}. */
    private static String canonical(final String key)
    {
        final int open = key.indexOf('{');
        if (open < 0)
        {
            return key;
        }
        final TreeMap<String, String> labels = new TreeMap<>();
        final String body = key.substring(open + 1, key.length() - 1);
        int at = 0;
        while (at < body.length())
        {
            final int eq = body.indexOf('=', at);
            final int end = body.indexOf('"', eq + 2);
            labels.put(body.substring(at, eq), body.substring(eq + 1, end + 1));
            at = end + 1;
            if (at < body.length() && body.charAt(at) == ',')
            {
                at++;
            }
        }
        final StringBuilder out = new StringBuilder(key.substring(0, open)).append('{');
        labels.forEach((k, v) -> out.append(out.charAt(out.length() - 1) == '{' ? "" : ",").append(k).append('=').append(v));
        return out.append('}').toString();
    }

    public boolean has(final String sample)
    {
        return samples.containsKey(canonical(sample));
    }

    public double value(final String sample)
    {
        final Double v = samples.get(canonical(sample));
        if (v == null)
        {
            throw new AssertionError("no sample " + sample + " in the scrape: " + samples.keySet());
        }
        return v;
    }

    /** The TYPE of a metric family, named with or without the {@code _total} a counter's samples carry. */
    public String type(final String metric)
    {
        return types.getOrDefault(metric, types.get(metric + "_total"));
    }
}
