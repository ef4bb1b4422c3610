package dev.switchyard.node.system;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.gateway.dispatch.GatewayCore;
import dev.switchyard.node.http.HttpApi;
import dev.switchyard.node.metrics.NodeHealth;
import dev.switchyard.node.metrics.NodeMetrics;
import org.agrona.CloseHelper;

/**
 * HTTP and metrics: the watch over the node's vital data-plane parts ({@code /health}) and, when
 * {@code switchyard.http.port} is set, the HTTP listener ({@code /metrics}, {@code /ready}, and on a
 * gateway node inference). Started last, so closed first: the node stops answering before it leaves.
 */
final class HttpRole implements AutoCloseable
{
    private final NodeHealth health;
    private final HttpApi http;

    private HttpRole(final NodeHealth health, final HttpApi http)
    {
        this.health = health;
        this.http = http;
    }

    /**
     * @param gateway  this node's gateway core, or null on a node without the gateway role
     * @param endpoint this node's expert endpoint, or null on a node without the experts role
     */
    static HttpRole start(
        final NodeSettings settings, final NodeBase base, final ClusterRole cluster, final GatewayCore gateway,
        final ExpertEndpoint endpoint)
    {
        final NodeHealth health = nodeHealth(base.dataPlane(), gateway, endpoint);
        if (settings.http().port() <= 0)
        {
            return new HttpRole(health, null);
        }
        try
        {
            final NodeMetrics nodeMetrics = new NodeMetrics(gateway == null ? null : base.metrics(), endpoint,
                base.dataPlane().aeron().countersReader(), ClusterMembers.of(cluster.system(), cluster.board()));
            final HttpApi http = NodeHttp.start(cluster.system(), settings.http(), base.dataPlane(), gateway,
                nodeMetrics, health, base.model());
            return new HttpRole(health, http);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(health);
            throw ex;
        }
    }

    /** The vital parts of this node's data plane, watched from now on. */
    private static NodeHealth nodeHealth(final DataPlane dataPlane, final GatewayCore core,
        final ExpertEndpoint endpoint)
    {
        final NodeHealth health = new NodeHealth(() -> core == null || core.allRoutesKnown());
        if (core != null)
        {
            health.vital("gateway agent", core::running);
        }
        if (endpoint != null)
        {
            health.vital("expert endpoint agent", endpoint::running);
        }
        health.vital("media driver", dataPlane::driverActive);
        return health.watch();
    }

    NodeHealth health()
    {
        return health;
    }

    /** The port of /metrics, or 0 without HTTP. */
    int port()
    {
        return http == null ? 0 : http.port();
    }

    /** The watch first, so that stopping parts are not taken for failed ones; then the listener. */
    @Override
    public void close()
    {
        health.close();
        CloseHelper.quietClose(http);
    }
}
