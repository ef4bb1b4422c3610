package dev.switchyard.model.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.switchyard.wire.BadInputException;

/**
 * Reads a routing report written by {@link RoutingReportWriter} (or any JSON of the same shape),
 * streaming, so that reports of different runs can be compared token by token.
 */
public final class RoutingReportReader
{
    private static final JsonFactory FACTORY = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    private static final List<String> KEYS = List.of("capacity", "aux_loss", "expert", "position", "gate");

    private RoutingReportReader()
    {
    }

    /**
     * Reads {@code file}.
     *
     * @throws BadInputException naming the file and what is wrong with it
     */
    public static RoutingReport read(final Path file)
    {
        try (JsonParser parser = FACTORY.createParser(file.toFile()))
        {
            return read(file, parser);
        }
        catch (final JsonProcessingException ex)
        {
            throw bad(file, "not valid JSON: " + Jsons.oneLine(ex));
        }
        catch (final NoSuchFileException | FileNotFoundException ex)
        {
            throw new BadInputException("routing report " + file + " does not exist", ex);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read routing report " + file + ": " + ex, ex);
        }
    }

    private static RoutingReport read(final Path file, final JsonParser parser) throws IOException
    {
        if (parser.nextToken() != JsonToken.START_OBJECT)
        {
            throw bad(file, "not a JSON object");
        }
        final Set<String> seen = new HashSet<>();
        final Columns columns = new Columns();
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String key = parser.currentName();
            seen.add(key);
            expect(file, parser, JsonToken.START_ARRAY, key);
            readColumn(file, parser, key, columns);
        }
        if (parser.currentToken() != JsonToken.END_OBJECT)
        {
            throw bad(file, "not a JSON object");
        }
        if (parser.nextToken() != null)
        {
            throw bad(file, "content after the report object");
        }
        for (final String key : KEYS)
        {
            if (!seen.contains(key))
            {
                throw bad(file, "missing key " + key);
            }
        }
        return columns.toReport(file);
    }

    /** Reads the array under {@code key}, its opening bracket already read, up to its closing one. */
    private static void readColumn(final Path file, final JsonParser parser, final String key, final Columns columns)
        throws IOException
    {
        switch (key)
        {
            case "capacity" ->
            {
                while (parser.nextToken() != JsonToken.END_ARRAY)
                {
                    columns.capacity.add(integer(file, parser, key));
                }
            }
            case "aux_loss" ->
            {
                while (parser.nextToken() != JsonToken.END_ARRAY)
                {
                    requireNumber(file, parser, key);
                    columns.auxLoss.add(parser.getDoubleValue());
                }
            }
            case "expert" -> readIntPairs(file, parser, key, columns.expert1, columns.expert2);
            case "position" -> readIntPairs(file, parser, key, columns.position1, columns.position2);
            case "gate" -> readGatePairs(file, parser, columns.gate1, columns.gate2);
            default -> throw bad(file, "unknown key " + key + " (known: " + String.join(", ", KEYS) + ")");
        }
    }

    private static void readIntPairs(
        final Path file, final JsonParser parser, final String key, final Ints first, final Ints second)
        throws IOException
    {
        while (parser.nextToken() != JsonToken.END_ARRAY)
        {
            requirePairStart(file, parser, key, first.size);
            nextInPair(file, parser, key, first.size);
            first.add(integer(file, parser, key));
            nextInPair(file, parser, key, first.size - 1);
            second.add(integer(file, parser, key));
            requirePairEnd(file, parser, key, first.size - 1);
        }
    }

    private static void readGatePairs(final Path file, final JsonParser parser, final Floats first, final Floats second)
        throws IOException
    {
        final String key = "gate";
        while (parser.nextToken() != JsonToken.END_ARRAY)
        {
            requirePairStart(file, parser, key, first.size);
            nextInPair(file, parser, key, first.size);
            first.add(gate(file, parser));
            nextInPair(file, parser, key, first.size - 1);
            second.add(gate(file, parser));
            requirePairEnd(file, parser, key, first.size - 1);
        }
    }

    private static void expect(final Path file, final JsonParser parser, final JsonToken token, final String key)
        throws IOException
    {
        if (parser.nextToken() != token)
        {
            throw bad(file, key + " must be an array");
        }
    }

    private static void requirePairStart(final Path file, final JsonParser parser, final String key, final int token)
    {
        if (parser.currentToken() != JsonToken.START_ARRAY)
        {
            throw bad(file, key + " of token " + token + " is not a pair [a, b]");
        }
    }

    private static void nextInPair(final Path file, final JsonParser parser, final String key, final int token)
        throws IOException
    {
        if (parser.nextToken() == JsonToken.END_ARRAY)
        {
            throw bad(file, key + " of token " + token + " has fewer than two values");
        }
    }

    private static void requirePairEnd(final Path file, final JsonParser parser, final String key, final int token)
        throws IOException
    {
        if (parser.nextToken() != JsonToken.END_ARRAY)
        {
            throw bad(file, key + " of token " + token + " has more than two values");
        }
    }

    private static int integer(final Path file, final JsonParser parser, final String key) throws IOException
    {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT ||
            parser.getNumberType() != JsonParser.NumberType.INT)
        {
            throw bad(file, key + " holds " + describe(parser) + " where an integer is expected");
        }
        return parser.getIntValue();
    }

    private static void requireNumber(final Path file, final JsonParser parser, final String key) throws IOException
    {
        if (!parser.currentToken().isNumeric())
        {
            throw bad(file, key + " holds " + describe(parser) + " where a number is expected");
        }
    }

    private static float gate(final Path file, final JsonParser parser) throws IOException
    {
        requireNumber(file, parser, "gate");
        // Straight from the text: going through double first could round twice.
        return Float.parseFloat(parser.getText());
    }

    private static String describe(final JsonParser parser) throws IOException
    {
        final JsonToken t = parser.currentToken();
        return t == null ? "nothing" : t.isScalarValue() ? parser.getText() : t.asString() == null ? t.name() :
            t.asString();
    }

    private static BadInputException bad(final Path file, final String what)
    {
        return new BadInputException("routing report " + file + ": " + what);
    }

    /** The report's arrays as they are read, each growing on its own until the sizes are checked. */
    private static final class Columns
    {
        final Ints capacity = new Ints();
        final Doubles auxLoss = new Doubles();
        final Ints expert1 = new Ints();
        final Ints expert2 = new Ints();
        final Ints position1 = new Ints();
        final Ints position2 = new Ints();
        final Floats gate1 = new Floats();
        final Floats gate2 = new Floats();

        RoutingReport toReport(final Path file)
        {
            if (capacity.size != auxLoss.size)
            {
                throw bad(file, "capacity has " + capacity.size + " groups but aux_loss has " + auxLoss.size);
            }
            if (position1.size != expert1.size || gate1.size != expert1.size)
            {
                throw bad(file, "expert has " + expert1.size + " tokens, position " + position1.size + ", gate " +
                    gate1.size);
            }
            return new RoutingReport(capacity.toArray(), auxLoss.toArray(), expert1.toArray(), expert2.toArray(),
                position1.toArray(), position2.toArray(), gate1.toArray(), gate2.toArray());
        }
    }

    private static final class Ints
    {
        int[] values = new int[1024];
        int size;

        void add(final int v)
        {
            if (size == values.length)
            {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int[] toArray()
        {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class Doubles
    {
        double[] values = new double[64];
        int size;

        void add(final double v)
        {
            if (size == values.length)
            {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        double[] toArray()
        {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class Floats
    {
        float[] values = new float[1024];
        int size;

        void add(final float v)
        {
            if (size == values.length)
            {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        float[] toArray()
        {
            return Arrays.copyOf(values, size);
        }
    }
}
