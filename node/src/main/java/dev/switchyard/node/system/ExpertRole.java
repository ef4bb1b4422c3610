package dev.switchyard.node.system;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.layer.IdentityExpert;
import dev.switchyard.experts.actor.ExpertHost;
import dev.switchyard.experts.actor.ExpertLoader;
import dev.switchyard.experts.actor.LoadedExpert;
import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.model.config.ModelConfig;
import org.agrona.CloseHelper;

/**
 * The expert role: the endpoint that computes the blocks of whichever experts sharding places
 * here, the host those expert actors load into (weights load on one {@code expert-loader} thread),
 * and the compute pool. On a node without the role only the pool and the loader thread exist, and
 * nothing uses them. The endpoint runs on a thread of its own unless it shares the gateway's
 * ({@link GatewayRole}).
 */
final class ExpertRole implements AutoCloseable
{
    /** How long blocks already on their way still get their DRAINING answer once the node leaves. */
    static final long ENDPOINT_LINGER_MS = 300;

    private final ComputePool pool;
    private final ExecutorService loadExecutor;
    private final ExpertEndpoint endpoint;
    private final ExpertHost host;
    private final boolean ownThread;

    private ExpertRole(
        final ComputePool pool, final ExecutorService loadExecutor, final ExpertEndpoint endpoint,
        final ExpertHost host, final boolean ownThread)
    {
        this.pool = pool;
        this.loadExecutor = loadExecutor;
        this.endpoint = endpoint;
        this.host = host;
        this.ownThread = ownThread;
    }

    static ExpertRole start(final NodeSettings settings, final NodeBase base)
    {
        final StartedParts started = new StartedParts();
        try
        {
            final ComputePool pool = started.add(ComputePool.ofThreads(Math.max(1, settings.computeThreads())));
            final ExecutorService loadExecutor = Executors.newFixedThreadPool(1, r ->
            {
                final Thread t = new Thread(r, "expert-loader");
                t.setDaemon(true);
                return t;
            });
            started.add(loadExecutor::shutdownNow);
            if (!settings.runsExperts())
            {
                return new ExpertRole(pool, loadExecutor, null, null, false);
            }
            final ModelConfig config = base.modelConfig();
            final ExpertEndpoint endpoint = started.add(new ExpertEndpoint(base.dataPlane(),
                new ExpertEndpoint.Shape(base.layers(), base.experts(), config.dModel(),
                    config.routing().maxBlockRows(base.experts()))));
            final boolean ownThread = !(settings.runsGateway() && settings.sharedThread());
            if (ownThread)
            {
                endpoint.start();
            }
            final ExpertHost host = new ExpertHost(endpoint,
                expertLoader(settings, base.model(), config, pool), loadExecutor);
            return new ExpertRole(pool, loadExecutor, endpoint, host, ownThread);
        }
        catch (final RuntimeException ex)
        {
            started.close();
            throw ex;
        }
    }

    private static ExpertLoader expertLoader(
        final NodeSettings settings, final ServedModel model, final ModelConfig config, final ComputePool pool)
    {
        if (!settings.identityExperts())
        {
            return model.expertLoader(ComputeBackends.byName(settings.computeBackend(), pool));
        }
        final LoadedExpert identity = LoadedExpert.holding(new IdentityExpert(config.dModel()));
        return (layer, expert) -> identity;
    }

    /** The expert endpoint, or null on a node without the experts role. */
    ExpertEndpoint endpoint()
    {
        return endpoint;
    }

    /** Where sharding's expert actors load and register, or null on a node without the experts role. */
    ExpertHost host()
    {
        return host;
    }

    /**
     * After the cluster is left and the gateway stopped: the endpoint (after its linger when it has
     * its own thread; a shared thread lingered before the gateway stopped it), the loader, the pool.
     */
    @Override
    public void close()
    {
        if (endpoint != null)
        {
            if (ownThread)
            {
                // Blocks already on their way get their DRAINING answer rather than vanish.
                Pause.quietly(ENDPOINT_LINGER_MS);
            }
            endpoint.close();
        }
        loadExecutor.shutdownNow();
        CloseHelper.quietClose(pool);
    }
}
