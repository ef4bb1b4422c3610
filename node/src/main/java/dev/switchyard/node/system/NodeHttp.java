package dev.switchyard.node.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.gateway.dispatch.GatewayCore;
import dev.switchyard.node.http.HttpApi;
import dev.switchyard.node.http.HttpSettings;
import dev.switchyard.node.metrics.NodeHealth;
import dev.switchyard.node.metrics.NodeMetrics;
import org.agrona.CloseHelper;
import org.apache.pekko.actor.typed.ActorSystem;

/** Starts a node's HTTP listener with what the node has: its gateway (over IPC) and its metrics. */
final class NodeHttp
{
    private static final int NAMED_UNREACHABLE = 8;

    private NodeHttp()
    {
    }

    /** @param gateway null on a node without one: then only /metrics, /health and /ready are served */
    static HttpApi start(
        final ActorSystem<?> system, final HttpSettings settings, final DataPlane dataPlane, final GatewayCore gateway,
        final NodeMetrics metrics, final NodeHealth health, final ServedModel model)
    {
        final SwitchyardClient client = gateway == null ? null : SwitchyardClient.ipc(dataPlane);
        try
        {
            final byte[] modelJson = gateway == null ? null : modelJson(model, gateway.maxRequestRows());
            return new HttpApi(system, settings, client, modelJson == null ? null : () -> modelJson,
                health,
                () -> gateway != null && gateway.allRoutesKnown(),
                () -> notReady(gateway),
                metrics::scrape);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(client);
            throw ex;
        }
    }

    private static Optional<String> notReady(final GatewayCore gateway)
    {
        if (gateway == null)
        {
            return Optional.empty();
        }
        if (gateway.unansweredWhileDraining() >= 0)
        {
            // A load balancer sends new requests elsewhere while the admitted ones are answered.
            return Optional.of("the gateway is shutting down: it takes no new requests");
        }
        final List<String> missing = gateway.unreachableExperts(NAMED_UNREACHABLE);
        return missing.isEmpty() ? Optional.empty() :
            Optional.of("experts not hosted or not reachable (layer/expert): " + String.join(", ", missing) +
                (missing.size() == NAMED_UNREACHABLE ? ", ..." : ""));
    }

    /** The model's description, with the layers served and the most tokens one Aeron message carries. */
    private static byte[] modelJson(final ServedModel model, final int maxMessageTokens)
    {
        try
        {
            final ObjectMapper json = new ObjectMapper();
            final ObjectNode node = (ObjectNode)json.readTree(model.describeJson());
            node.put("layers", model.layers());
            node.put("max_message_tokens", maxMessageTokens);
            return json.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
