package dev.switchyard.node.http;

import java.io.IOException;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.wire.BadInputException;

/**
 * The tokens of an inference request, read from its body: {@code application/x-npy} (float32
 * [T, d_model]) or {@code application/json} ({@code {"tokens": [[...], ...], "routing": false}},
 * optionally {@code "importance": [T]}). JSON numbers are read as float32 from their text, so a
 * float written with its shortest decimal form comes back as the same bits.
 *
 * @param rows       T
 * @param x          [T, d_model]
 * @param importance [T], or null for all 1.0
 * @param routing    whether the answer should carry the routing report
 */
record TokensBody(int rows, float[] x, float[] importance, boolean routing)
{
    private static final JsonFactory JSON = new JsonFactory();

    static TokensBody npy(final byte[] body, final int d, final boolean routing)
    {
        final NpyArray array;
        try
        {
            array = Npy.read("request body", body);
        }
        catch (final BadInputException ex)
        {
            throw ApiError.badRequest(ex.getMessage());
        }
        if (array.rank() != 2 || array.cols() != d)
        {
            throw ApiError.badRequest("tokens have shape " + array.shapeString() + ", expected [T, " + d + "]");
        }
        return new TokensBody(array.rows(), array.data(), null, routing);
    }

    /** @param routingQuery the URL asked for the routing report ({@code ?routing=true}) */
    static TokensBody json(final byte[] body, final int d, final int maxTokens, final boolean routingQuery)
    {
        try (JsonParser p = JSON.createParser(body))
        {
            expect(p, p.nextToken() == JsonToken.START_OBJECT, "the body is not a JSON object");
            FloatList tokens = null;
            int rows = 0;
            float[] importance = null;
            boolean routing = routingQuery;
            while (p.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = p.currentName();
                final JsonToken value = p.nextToken();
                switch (field)
                {
                    case "tokens" ->
                    {
                        expect(p, value == JsonToken.START_ARRAY, "\"tokens\" is not an array of rows");
                        tokens = new FloatList(d * 16);
                        while (p.nextToken() == JsonToken.START_ARRAY)
                        {
                            if (++rows > maxTokens)
                            {
                                throw ApiError.tooLarge("more than " + maxTokens + " tokens in one request");
                            }
                            final int before = tokens.size();
                            readNumbers(p, tokens, "token " + (rows - 1));
                            if (tokens.size() - before != d)
                            {
                                throw ApiError.badRequest("token " + (rows - 1) + " has " + (tokens.size() - before) +
                                    " values, expected d_model = " + d);
                            }
                        }
                        expect(p, p.currentToken() == JsonToken.END_ARRAY,
                            "\"tokens\" holds something that is not a row");
                    }
                    case "importance" ->
                    {
                        expect(p, value == JsonToken.START_ARRAY, "\"importance\" is not an array");
                        final FloatList list = new FloatList(64);
                        readNumbers(p, list, "importance");
                        importance = list.toArray();
                    }
                    case "routing" ->
                    {
                        expect(p, value.isBoolean(), "\"routing\" is not true or false");
                        routing |= p.getBooleanValue();
                    }
                    default -> throw ApiError.badRequest("unknown field \"" + field +
                        "\" (known: tokens, routing, importance)");
                }
            }
            expect(p, tokens != null, "no \"tokens\"");
            expect(p, rows > 0, "\"tokens\" is empty");
            if (importance != null && importance.length != rows)
            {
                throw ApiError.badRequest("\"importance\" has " + importance.length + " values for " + rows +
                    " tokens");
            }
            return new TokensBody(rows, tokens.toArray(), importance, routing);
        }
        catch (final IOException ex)
        {
            throw ApiError.badRequest("the body is not valid JSON: " + ex.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Reads the numbers of an array whose START_ARRAY is current, through its END_ARRAY. */
    private static void readNumbers(final JsonParser p, final FloatList out, final String what) throws IOException
    {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY)
        {
            if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT)
            {
                throw ApiError.badRequest(what + " holds " + p.getText() + ", which is not a number");
            }
            out.add(Float.parseFloat(p.getText()));
        }
    }

    private static void expect(final JsonParser p, final boolean condition, final String what)
    {
        if (!condition)
        {
            throw ApiError.badRequest(what + " (at " + p.currentLocation().offsetDescription() + ")");
        }
    }

    /** A growable float[] (no boxing for bodies of millions of values). */
    private static final class FloatList
    {
        private float[] values;
        private int size;

        FloatList(final int capacity)
        {
            values = new float[Math.max(16, capacity)];
        }

        void add(final float v)
        {
            if (size == values.length)
            {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = v;
        }

        int size()
        {
            return size;
        }

        float[] toArray()
        {
            return Arrays.copyOf(values, size);
        }
    }
}
