package dev.switchyard.node.cluster;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.testkit.Await;
import dev.switchyard.testkit.Tokens;

/**
 * When {@link NetworkLabTest}'s cluster has converged after a fault, as a client host sees it:
 * {@code cluster status} shows every member Up and the experts on every expert node, and a request
 * touching every expert is answered OK.
 *
 * @param d           the model's width
 * @param experts     experts of its layer
 * @param expertNodes  expert nodes of the cluster (the gateway nodes host none)
 * @param gatewayNodes gateway nodes of the cluster
 */
record Convergence(int d, int experts, int expertNodes, int gatewayNodes)
{
    /**
     * Waits until every member is Up, the experts are hosted on every expert node and a request
     * touching every expert is answered OK (the status alone can show a member by the address it had
     * before it was downed); returns the wait.
     */
    long await(final String seed, final SwitchyardClient client, final String when, final Duration within)
    {
        final long start = System.nanoTime();
        final String[] last = {""};
        final float[] probe = Tokens.gaussian(64, d, 7);
        Await.until(() -> converged(last[0] = status(seed)) && answersOk(client, probe), within,
            Duration.ofMillis(500),
            () -> "the cluster did not converge " + when + " within " + within.toSeconds() + " s: " + last[0]);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private boolean answersOk(final SwitchyardClient client, final float[] x)
    {
        if (client == null)
        {
            return true;
        }
        try
        {
            final RequestOptions options = RequestOptions.exact().withDeadline(Duration.ofSeconds(3));
            return client.infer(x, x.length / d, null, false, options).get(10, TimeUnit.SECONDS).ok();
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private boolean converged(final String statusJson)
    {
        try
        {
            final JsonNode report = new ObjectMapper().readTree(statusJson);
            boolean up = report.get("members").size() == gatewayNodes + expertNodes;
            for (final JsonNode m : report.get("members"))
            {
                up &= "Up".equals(m.get("status").asText());
            }
            final Set<String> hosts = new HashSet<>();
            for (final JsonNode e : report.get("experts"))
            {
                hosts.add(e.get("node").asText());
            }
            return up && report.get("experts").size() == experts && hosts.size() == expertNodes;
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    /** {@code switchyard cluster status --json} from the client's host; what it said on failure. */
    static String status(final String node)
    {
        final java.io.StringWriter out = new java.io.StringWriter();
        final java.io.StringWriter err = new java.io.StringWriter();
        final picocli.CommandLine cli = dev.switchyard.cli.Main.commandLine();
        cli.setOut(new java.io.PrintWriter(out));
        cli.setErr(new java.io.PrintWriter(err));
        final int status = cli.execute("cluster", "status", "--connect", node, "--json", "--timeout", "5");
        return status == 0 ? out.toString() : "exit " + status + ": " + err;
    }
}
