package dev.switchyard.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.model.io.RoutingReport;
import dev.switchyard.node.system.SystemInference;
import dev.switchyard.wire.BadInputException;

/**
 * {@code infer --connect http://HOST:PORT}: the tokens through a gateway's HTTP API. Plain tokens
 * travel as {@code .npy}; with importance or a routing report the request and answer are JSON,
 * whose floats are written and read in their shortest exact form, so both are bit-exact.
 */
final class HttpInference
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpInference()
    {
    }

    static SystemInference.Result run(
        final String base, final ModelDirectory model, final int layer, final float[] x, final int tokens,
        final float[] importance, final boolean wantRouting)
    {
        final String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        final int d = model.config().dModel();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build())
        {
            final JsonNode served =
                JSON.readTree(send(http, root, HttpRequest.newBuilder(URI.create(root + "/v1/model"))
                .GET()).body());
            if (served.path("d_model").asInt() != d ||
                served.path("num_experts").asInt() != model.config().numExperts() ||
                served.path("routing").path("group_size").asInt() != model.config().routing().groupSize())
            {
                throw new BadInputException("gateway " + root + " serves d_model " + served.path("d_model").asInt() +
                    ", " + served.path("num_experts").asInt() + " experts, groups of " +
                    served.path("routing").path("group_size").asInt() + "; model " + model.path() + " has " + d + ", " +
                    model.config().numExperts() + ", " + model.config().routing().groupSize());
            }
            final URI infer = URI.create(root + "/v1/layers/" + layer + ":infer");
            if (importance == null && !wantRouting)
            {
                final byte[] answer = send(http, root, HttpRequest.newBuilder(infer)
                    .header("Content-Type", "application/x-npy")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Npy.bytes(NpyArray.matrix(tokens, d, x))))).body();
                return new SystemInference.Result(Npy.read("answer of " + root, answer).data(), null);
            }
            final byte[] answer = send(http, root, HttpRequest.newBuilder(infer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(requestJson(x, tokens, d, importance, wantRouting)))).body();
            return parse(JSON.readTree(answer), tokens, d, wantRouting);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("gateway " + root + ": " + ex.getMessage());
        }
    }

    private static HttpResponse<byte[]> send(final HttpClient http, final String root,
        final HttpRequest.Builder request)
        throws IOException
    {
        final HttpResponse<byte[]> response;
        try
        {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (final ConnectException ex)
        {
            throw new BadInputException("cannot reach gateway " + root + " (connection refused)");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new BadInputException("interrupted while waiting for gateway " + root);
        }
        if (response.statusCode() != 200)
        {
            final String body = new String(response.body(), StandardCharsets.UTF_8);
            String message = body.strip();
            try
            {
                final JsonNode error = JSON.readTree(body);
                message = error.path("error").asText() + ": " + error.path("message").asText();
            }
            catch (final IOException notJson)
            {
                // Not one of the API's errors (a proxy, say): its text is the best there is.
            }
            throw new BadInputException("gateway " + root + " answered " + response.statusCode() + " " + message);
        }
        return response;
    }

    private static String requestJson(
        final float[] x, final int tokens, final int d, final float[] importance, final boolean routing)
    {
        final StringBuilder out = new StringBuilder(tokens * d * 12).append("{\"routing\": ").append(routing);
        if (importance != null)
        {
            out.append(", \"importance\": [");
            for (int t = 0; t < tokens; t++)
            {
                out.append(t == 0 ? "" : ", ").append(importance[t]);
            }
            out.append(']');
        }
        out.append(", \"tokens\": [");
        for (int t = 0; t < tokens; t++)
        {
            out.append(t == 0 ? "[" : ", [");
            for (int c = 0; c < d; c++)
            {
                out.append(c == 0 ? "" : ", ").append(x[t * d + c]);
            }
            out.append(']');
        }
        return out.append("]}").toString();
    }

    private static SystemInference.Result parse(final JsonNode answer, final int tokens, final int d,
        final boolean routing)
    {
        final float[] y = new float[tokens * d];
        for (int t = 0; t < tokens; t++)
        {
            final JsonNode row = answer.path("output").path(t);
            for (int c = 0; c < d; c++)
            {
                y[t * d + c] = Float.parseFloat(row.path(c).asText());
            }
        }
        if (!routing)
        {
            return new SystemInference.Result(y, null);
        }
        final JsonNode r = answer.path("routing");
        final int groups = r.path("capacity").size();
        final int[] capacity = new int[groups];
        final double[] aux = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            capacity[g] = r.path("capacity").path(g).asInt();
            aux[g] = Double.parseDouble(r.path("aux_loss").path(g).asText());
        }
        final int[][] expert = new int[2][tokens];
        final int[][] position = new int[2][tokens];
        final float[][] gate = new float[2][tokens];
        for (int t = 0; t < tokens; t++)
        {
            for (int k = 0; k < 2; k++)
            {
                expert[k][t] = r.path("expert").path(t).path(k).asInt();
                position[k][t] = r.path("position").path(t).path(k).asInt();
                gate[k][t] = Float.parseFloat(r.path("gate").path(t).path(k).asText());
            }
        }
        return new SystemInference.Result(y, new RoutingReport(capacity, aux, expert[0], expert[1], position[0],
            position[1], gate[0], gate[1]));
    }
}
