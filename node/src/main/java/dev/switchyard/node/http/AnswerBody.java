package dev.switchyard.node.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;

/**
 * An answer's body: the output as {@code .npy} bytes, or as JSON
 * ({@code {"rows": T, "cols": d, "output": [[...]], "degraded": "...", "routing": {...}}}, "degraded" only
 * when the answer was computed without some experts) whose floats are written in
 * their shortest decimal form, so a reader that parses them as float32 gets the same bits. The
 * routing object has the fields of the routing report (docs/contracts.md §2).
 */
final class AnswerBody
{
    private static final JsonFactory JSON = new JsonFactory();

    private AnswerBody()
    {
    }

    static byte[] npy(final InferAnswer answer)
    {
        return Npy.bytes(NpyArray.matrix(answer.rows(), answer.cols(), answer.output()));
    }

    static byte[] json(final InferAnswer answer)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(answer.rows() * answer.cols() * 12 + 64);
        try (JsonGenerator g = JSON.createGenerator(bytes))
        {
            g.writeStartObject();
            g.writeNumberField("rows", answer.rows());
            g.writeNumberField("cols", answer.cols());
            g.writeArrayFieldStart("output");
            final float[] y = answer.output();
            for (int t = 0; t < answer.rows(); t++)
            {
                g.writeStartArray();
                for (int c = 0; c < answer.cols(); c++)
                {
                    g.writeNumber(y[t * answer.cols() + c]);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            if (answer.degraded())
            {
                g.writeStringField("degraded", answer.detail());
            }
            if (answer.routing() != null)
            {
                writeRouting(g, answer.routing());
            }
            g.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    private static void writeRouting(final JsonGenerator g, final InferAnswer.Routing r) throws IOException
    {
        g.writeObjectFieldStart("routing");
        g.writeArrayFieldStart("capacity");
        for (final int c : r.capacity())
        {
            g.writeNumber(c);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("aux_loss");
        for (final double loss : r.auxLoss())
        {
            g.writeNumber(loss);
        }
        g.writeEndArray();
        final int k = r.entries();
        g.writeArrayFieldStart("expert");
        rowsOf(g, r.expert(), k);
        g.writeArrayFieldStart("position");
        rowsOf(g, r.position(), k);
        g.writeArrayFieldStart("gate");
        for (int i = 0; i < r.gate().length; i += k)
        {
            g.writeStartArray();
            for (int j = 0; j < k; j++)
            {
                g.writeNumber(r.gate()[i + j]);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** [rows, k] ints as a JSON array of rows of k; closes the array the caller opened. */
    private static void rowsOf(final JsonGenerator g, final int[] values, final int k) throws IOException
    {
        for (int i = 0; i < values.length; i += k)
        {
            g.writeStartArray();
            for (int j = 0; j < k; j++)
            {
                g.writeNumber(values[i + j]);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    static byte[] error(final ApiError error)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(bytes))
        {
            g.writeStartObject();
            g.writeStringField("error", error.code);
            g.writeStringField("message", error.getMessage());
            g.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }
}
