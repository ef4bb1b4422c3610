package dev.switchyard.tools.lmload;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.wire.BadInputException;

/**
 * The public LLM request traces loadgen replays, one request a line. Each line becomes {time ns, prompt tokens,
 * output tokens}; what is wrong with a line is an {@link IllegalArgumentException} whose message
 * {@link TraceFile} prefixes with the file and line.
 * <ul>
 *   <li>Mooncake (JSONL): {@code {"timestamp": ms, "input_length": n, "output_length": n, "hash_ids": [...]}};</li>
 *   <li>BurstGPT (CSV): {@code Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type}, seconds;</li>
 *   <li>Azure LLM inference (CSV): {@code TIMESTAMP,ContextTokens,GeneratedTokens}, a datetime with up to 9
 *   fractional digits ({@code 2023-11-16 18:15:46.6805900}), read as UTC.</li>
 * </ul>
 */
public enum TraceFormat
{
    MOONCAKE(null),
    BURSTGPT(List.of("Timestamp", "Model", "Request tokens", "Response tokens", "Total tokens", "Log Type")),
    AZURE(List.of("TIMESTAMP", "ContextTokens", "GeneratedTokens"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter AZURE_TIME = new DateTimeFormatterBuilder()
        .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
        .optionalEnd().toFormatter(Locale.ROOT);

    /** The CSV header's columns, or null for JSONL. */
    private final List<String> header;

    TraceFormat(final List<String> header)
    {
        this.header = header;
    }

    public static TraceFormat parse(final String text)
    {
        for (final TraceFormat f : values())
        {
            if (f.name().equalsIgnoreCase(text.trim()))
            {
                return f;
            }
        }
        throw new BadInputException("--trace-format must be mooncake, burstgpt or azure (got '" + text + "')");
    }

    boolean hasHeader()
    {
        return header != null;
    }

    /** @throws IllegalArgumentException when the first line is not this format's header */
    void checkHeader(final String line)
    {
        final List<String> got = List.of(cells(line, -1));
        if (!got.equals(header))
        {
            throw new IllegalArgumentException("the header must be '" + String.join(",", header) + "' for " +
                name().toLowerCase(Locale.ROOT) + " (got '" + line + "')");
        }
    }

    /** @return {time ns since the epoch of the trace's clock, prompt tokens, output tokens} */
    long[] row(final String line)
    {
        return switch (this)
        {
            case MOONCAKE -> mooncake(line);
            case BURSTGPT ->
            {
                final String[] c = cells(line, header.size());
                yield new long[] {seconds(c[0], "Timestamp"), count(c[2], "Request tokens"),
                    count(c[3], "Response tokens")};
            }
            case AZURE ->
            {
                final String[] c = cells(line, header.size());
                yield new long[] {azureTime(c[0]), count(c[1], "ContextTokens"), count(c[2], "GeneratedTokens")};
            }
        };
    }

    private static long[] mooncake(final String line)
    {
        final JsonNode node;
        try
        {
            node = JSON.readTree(line);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalArgumentException("not JSON: " + ex.getOriginalMessage());
        }
        if (node == null || !node.isObject())
        {
            throw new IllegalArgumentException("not a JSON object");
        }
        final JsonNode t = node.path("timestamp");
        if (!t.isNumber() || t.asDouble() < 0)
        {
            throw new IllegalArgumentException("\"timestamp\" must be a number of ms, at least 0 (got " + t + ")");
        }
        return new long[] {Math.round(t.asDouble() * 1e6), jsonCount(node, "input_length"),
            jsonCount(node, "output_length")};
    }

    private static long jsonCount(final JsonNode node, final String field)
    {
        final JsonNode v = node.path(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0)
        {
            throw new IllegalArgumentException("\"" + field + "\" must be a whole number of tokens, at least 0 " +
                "(got " + v + ")");
        }
        return v.asInt();
    }

    /** The cells of a CSV line (no commas inside cells in these traces), quotes and blanks trimmed. */
    private static String[] cells(final String line, final int expected)
    {
        final String[] c = line.split(",", -1);
        if (expected >= 0 && c.length != expected)
        {
            throw new IllegalArgumentException(expected + " columns expected, got " + c.length);
        }
        for (int i = 0; i < c.length; i++)
        {
            String s = c[i].trim();
            if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\""))
            {
                s = s.substring(1, s.length() - 1).trim();
            }
            c[i] = s;
        }
        return c;
    }

    private static long seconds(final String cell, final String column)
    {
        try
        {
            final double s = Double.parseDouble(cell);
            if (s >= 0 && Double.isFinite(s))
            {
                return Math.round(s * 1e9);
            }
        }
        catch (final NumberFormatException ex)
        {
            // the error below names the column
        }
        throw new IllegalArgumentException(column + " must be a number of seconds, at least 0 (got '" + cell + "')");
    }

    private static long count(final String cell, final String column)
    {
        try
        {
            // BurstGPT writes counts as floats at times ("12.0").
            final double v = Double.parseDouble(cell);
            if (v >= 0 && v == Math.rint(v) && v <= Integer.MAX_VALUE)
            {
                return (long)v;
            }
        }
        catch (final NumberFormatException ex)
        {
            // the error below names the column
        }
        throw new IllegalArgumentException(column + " must be a whole number of tokens, at least 0 (got '" + cell +
            "')");
    }

    private static long azureTime(final String cell)
    {
        try
        {
            final LocalDateTime t = LocalDateTime.parse(cell, AZURE_TIME);
            return Math.addExact(Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC), 1_000_000_000L), t.getNano());
        }
        catch (final DateTimeParseException | ArithmeticException ex)
        {
            throw new IllegalArgumentException("TIMESTAMP must be a datetime like 2023-11-16 18:15:46.6805900 (got '" +
                cell + "')");
        }
    }
}
