package dev.switchyard.tools.report;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Per-expert rows and drops read from a gateway's {@code /metrics} (Prometheus text). */
public final class PrometheusExpertLoad implements ExpertLoad
{
    // Labels in any order (the client library writes them sorted): the expert is taken from inside the braces.
    private static final Pattern EXPERT_ROWS =
        Pattern.compile("^switchyard_gateway_expert_rows_total\\{([^}]*)} (\\S+)", Pattern.MULTILINE);
    private static final Pattern DROPPED = Pattern.compile(
        "^switchyard_gateway_dropped_total\\{cause=\"(first_capacity|second_capacity|second_policy)\"} (\\d+)",
        Pattern.MULTILINE);
    private static final Pattern EXPERT_DROPS =
        Pattern.compile("^switchyard_routing_dropped_total\\{([^}]*)} (\\S+)", Pattern.MULTILINE);
    private static final Pattern EXPERT_LABEL = Pattern.compile("expert=\"(\\d+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final URI uri;
    private final int experts;

    /** @param hostPort the gateway's metrics HTTP address */
    public PrometheusExpertLoad(final String hostPort, final int experts)
    {
        this.uri = URI.create("http://" + hostPort + "/metrics");
        this.experts = experts;
    }

    /** Whether the endpoint answers now. */
    public boolean reachable()
    {
        return sample(new long[experts], new long[experts]) != Long.MIN_VALUE;
    }

    @Override
    public long sample(final long[] rows, final long[] drops)
    {
        final String text;
        try
        {
            final HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(800)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200)
            {
                return Long.MIN_VALUE;
            }
            text = response.body();
        }
        catch (final IOException ex)
        {
            return Long.MIN_VALUE;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return Long.MIN_VALUE;
        }
        java.util.Arrays.fill(rows, 0);
        sumPerExpert(EXPERT_ROWS.matcher(text), rows);
        java.util.Arrays.fill(drops, -1);
        sumPerExpert(EXPERT_DROPS.matcher(text), drops);
        long dropped = 0;
        final Matcher d = DROPPED.matcher(text);
        while (d.find())
        {
            dropped += Long.parseLong(d.group(2));
        }
        return dropped;
    }

    // Adds every sample to its expert's cell; a cell still at -1 (no sample) becomes its first sample.
    private static void sumPerExpert(final Matcher samples, final long[] perExpert)
    {
        while (samples.find())
        {
            final Matcher label = EXPERT_LABEL.matcher(samples.group(1));
            final int e = label.find() ? Integer.parseInt(label.group(1)) : -1;
            if (e >= 0 && e < perExpert.length)
            {
                perExpert[e] = Math.max(perExpert[e], 0) + (long)Double.parseDouble(samples.group(2));
            }
        }
    }

    @Override
    public int experts()
    {
        return experts;
    }
}
