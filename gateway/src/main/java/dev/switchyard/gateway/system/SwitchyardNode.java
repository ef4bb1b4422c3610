package dev.switchyard.gateway.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.switchyard.experts.actor.ExpertActor;
import dev.switchyard.experts.actor.ExpertHost;
import dev.switchyard.experts.actor.ExpertLoader;
import dev.switchyard.experts.actor.LoadedExpert;
import dev.switchyard.experts.actor.ModelExpertLoader;
import dev.switchyard.experts.compute.ComputeBackends;
import dev.switchyard.experts.compute.ComputePool;
import dev.switchyard.dataplane.AgentErrors;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.experts.layer.IdentityExpert;
import dev.switchyard.gateway.cluster.ClusterStatus;
import dev.switchyard.gateway.cluster.ExpertKeeper;
import dev.switchyard.gateway.cluster.ExpertLoad;
import dev.switchyard.gateway.cluster.ExpertLocator;
import dev.switchyard.gateway.cluster.ExpertShards;
import dev.switchyard.gateway.cluster.ReplicaAllocation;
import dev.switchyard.gateway.cluster.Replicas;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import dev.switchyard.gateway.cluster.FailureProfile;
import dev.switchyard.gateway.dispatch.ClientPolicy;
import dev.switchyard.gateway.config.ClusterTls;
import dev.switchyard.gateway.dispatch.GatewayCore;
import dev.switchyard.gateway.record.RecordSettings;
import dev.switchyard.gateway.record.RecordedModel;
import dev.switchyard.gateway.record.TrafficRecorder;
import dev.switchyard.gateway.http.HttpApi;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.gateway.metrics.NodeHealth;
import dev.switchyard.gateway.metrics.NodeMetrics;
import dev.switchyard.gateway.placement.LeaveHandOver;
import dev.switchyard.gateway.placement.LoadExchange;
import dev.switchyard.gateway.placement.PlacementBoard;
import dev.switchyard.gateway.placement.PlacementMessage;
import dev.switchyard.gateway.placement.PlacementSettings;
import dev.switchyard.gateway.placement.WorkAllocation;
import dev.switchyard.wire.BadInputException;
import dev.switchyard.router.config.ModelConfig;
import dev.switchyard.router.gating.GatingWarmUp;
import dev.switchyard.router.gating.RouterProjection;
import dev.switchyard.router.model.ModelDirectory;
import dev.switchyard.wire.frame.WireLayout;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * One Switchyard node: its data plane (media driver and Aeron client), its actor system in the
 * cluster, and by role a gateway (data-plane core and the locator that feeds it routes) and/or the
 * expert endpoint that serves whichever experts sharding places here.
 */
public final class SwitchyardNode implements AutoCloseable
{
    public static final String ROLE_GATEWAY = "gateway";
    public static final String ROLE_EXPERTS = "experts";
    /** Groups each layer's gating runs before the gateway starts, for the JIT. */
    private static final int GATING_WARM_UP_ROUNDS = 20;
    /** Expert copies moved per rebalance round, as least-shard-allocation-strategy.rebalance-absolute-limit. */
    private static final int REBALANCE_LIMIT = 20;

    private final NodeSettings settings;
    private final ModelDirectory model;
    private final ModelConfig modelConfig;
    private final DataPlane dataPlane;
    private final ExpertEndpoint endpoint;
    private final GatewayCore gateway;
    private final GatewayMetrics metrics;
    private final ActorSystem<Void> system;
    private final ExecutorService loadExecutor;
    private final ComputePool pool;
    private final HttpApi http;
    private final NodeHealth health;
    private static final long ENDPOINT_LINGER_MS = 300;
    private volatile boolean closed;
    private TrafficRecorder recorder;
    private PlacementBoard placement;

    private SwitchyardNode(
        final NodeSettings settings, final ModelDirectory model, final ModelConfig modelConfig,
        final DataPlane dataPlane, final ExpertEndpoint endpoint, final GatewayCore gateway,
        final GatewayMetrics metrics, final ActorSystem<Void> system, final ExecutorService loadExecutor,
        final ComputePool pool, final HttpApi http, final NodeHealth health)
    {
        this.health = health;
        this.pool = pool;
        this.http = http;
        this.settings = settings;
        this.model = model;
        this.modelConfig = modelConfig;
        this.dataPlane = dataPlane;
        this.endpoint = endpoint;
        this.gateway = gateway;
        this.metrics = metrics;
        this.system = system;
        this.loadExecutor = loadExecutor;
    }

    /** Starts a node from a full configuration (the {@code switchyard} and {@code pekko} sections). */
    public static SwitchyardNode start(final Config config)
    {
        final Config full = config
            .withFallback(FailureProfile.pekkoSettings(config))
            .withFallback(ConfigFactory.parseResources(SwitchyardNode.class.getClassLoader(), "switchyard-pekko.conf"))
            .withFallback(ConfigFactory.defaultReference(SwitchyardNode.class.getClassLoader()))
            .resolve();
        final NodeSettings settings = NodeSettings.from(full);
        final List<AutoCloseable> started = new ArrayList<>();
        try
        {
            final ModelDirectory model = ModelDirectory.open(settings.model());
            started.add(model);
            ModelConfig modelConfig = model.config();
            if (settings.groupSize() > 0)
            {
                modelConfig = new ModelConfig(modelConfig.dModel(), modelConfig.dFf(), modelConfig.numExperts(),
                    modelConfig.activation(), modelConfig.expertBias(),
                    modelConfig.routing().withGroupSize(settings.groupSize()));
            }
            final int layers = model.layerCount();
            final int experts = modelConfig.numExperts();
            final DataPlane dataPlane = DataPlane.start(settings.dataPlane().sizedFor(
                WireLayout.largestMessage(modelConfig.routing().maxBlockRows(experts),
                modelConfig.routing().groupSize(), modelConfig.dModel())));
            started.add(dataPlane);

            ExpertEndpoint endpoint = null;
            if (settings.runsExperts())
            {
                endpoint = new ExpertEndpoint(dataPlane,
                    new ExpertEndpoint.Shape(layers, experts, modelConfig.dModel(),
                        modelConfig.routing().maxBlockRows(experts)));
                started.add(endpoint);
                if (!(settings.runsGateway() && settings.sharedThread()))
                {
                    endpoint.start();
                }
            }
            final GatewayMetrics metrics = new GatewayMetrics(layers, experts);
            final ActorSystem<Void> system = ActorSystem.create(
                Behaviors.empty(), settings.systemName(), pekkoConfig(settings, full));
            started.add(() -> system.terminate());
            final ExecutorService loadExecutor = Executors.newFixedThreadPool(1, r ->
            {
                final Thread t = new Thread(r, "expert-loader");
                t.setDaemon(true);
                return t;
            });
            started.add(loadExecutor::shutdownNow);

            final ComputePool pool = ComputePool.ofThreads(Math.max(1, settings.computeThreads()));
            started.add(pool);
            final ExpertHost host = endpoint == null ? null :
                new ExpertHost(endpoint, expertLoader(settings, model, modelConfig, pool), loadExecutor);
            final Replicas replicas = Replicas.from(full);
            final PlacementSettings placement = PlacementSettings.from(full);
            final PlacementBoard board = new PlacementBoard(replicas, placement.forgetAfter().toMillis());
            final ActorRef<Topic.Command<PlacementMessage>> placementTopic = system.systemActorOf(
                Topic.create(PlacementMessage.class, PlacementMessage.TOPIC), "placement-topic", Props.empty());
            final ClusterSharding sharding = ClusterSharding.get(system);
            sharding.init(
                Entity.of(ExpertActor.TYPE_KEY, ctx -> ExpertActor.create(ctx.getEntityId(), host))
                    .withStopMessage(new ExpertActor.HandOff())
                    .withRole(ROLE_EXPERTS)
                    .withMessageExtractor(new ExpertShards())
                    .withAllocationStrategy(new WorkAllocation(new ReplicaAllocation(
                        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)), REBALANCE_LIMIT),
                        board, placement, state -> placementTopic.tell(Topic.publish(state)),
                        id -> sharding.entityRefFor(ExpertActor.TYPE_KEY, id.entityId())
                            .tell(new ExpertActor.Retire()))));
            joinCluster(system, settings);
            if (host != null && placement.enabled())
            {
                LeaveHandOver.register(system, placementTopic, Cluster.get(system).selfMember().address().toString(),
                    board, () -> host.copies().hosting(), ROLE_EXPERTS);
            }

            GatewayCore gateway = null;
            TrafficRecorder recorder = null;
            final Map<String, String> routed = new ConcurrentHashMap<>();
            if (settings.runsGateway())
            {
                final List<RouterProjection> routers = new ArrayList<>();
                for (int l = 0; l < layers; l++)
                {
                    routers.add(new RouterProjection(model.router(l)));
                    GatingWarmUp.run(routers.get(l), modelConfig.routing(), GATING_WARM_UP_ROUNDS);
                }
                final ActorRef<ExpertLocator.Command>[] locator = newLocatorHolder();
                gateway = new GatewayCore(dataPlane, modelConfig, routers, settings.gateway(), ClientPolicy.from(full),
                    settings.bindHost(),
                    (layer, expert) ->
                    {
                        final ActorRef<ExpertLocator.Command> ref = locator[0];
                        if (ref != null)
                        {
                            ref.tell(new ExpertLocator.Relocate(layer, expert));
                        }
                    }, metrics, dropUnavailable(full));
                started.add(gateway);
                recorder = RecordSettings.from(full).startRecorder(dataPlane.aeron().context().aeronDirectoryName(),
                    new RecordedModel(modelConfig.dModel(), experts, modelConfig.routing().groupSize(), layers,
                        gateway.maxRequestRows()));
                if (recorder != null)
                {
                    started.add(recorder);
                    gateway.tap(recorder);
                }
                if (endpoint != null && settings.sharedThread())
                {
                    runShared(dataPlane, gateway, endpoint);
                }
                else
                {
                    gateway.start();
                }
                locator[0] = system.systemActorOf(
                    ExpertLocator.create(gateway, layers, experts, board, settings.relocateEvery(),
                        Duration.ofSeconds(3), routed),
                    "expert-locator", Props.empty());
            }
            system.systemActorOf(ExpertKeeper.create(layers, experts, board, settings.keepAliveEvery()),
                "expert-keeper",
                Props.empty());
            final ExpertLoad load = gateway == null ? null : new ExpertLoad(metrics);
            // An expert's FLOPs per row: two matrix products of d_model x d_ff, a multiply and an add each.
            final double flopsPerRow = 4.0 * modelConfig.dModel() * modelConfig.dFf();
            system.systemActorOf(ClusterStatus.create(layers, experts, board, load,
                    i -> LoadExchange.cost(board, i / experts, i % experts, experts, flopsPerRow),
                    () -> board.state().moving()),
                ClusterStatus.NAME, Props.empty());
            system.systemActorOf(LoadExchange.create(board, placementTopic, placement,
                    Cluster.get(system).selfMember().address().toString(), layers, experts, load,
                    gateway == null ? null : routed, flopsPerRow, endpoint),
                "placement-exchange", Props.empty());
            final NodeHealth health = nodeHealth(dataPlane, gateway, endpoint);
            started.add(health);
            HttpApi http = null;
            if (settings.http().port() > 0)
            {
                final NodeMetrics nodeMetrics = new NodeMetrics(gateway == null ? null : metrics, endpoint,
                    dataPlane.aeron().countersReader(), ClusterMembers.of(system));
                http = NodeHttp.start(system, settings.http(), dataPlane, gateway, nodeMetrics, health, modelConfig,
                    layers);
                started.add(http);
            }
            final SwitchyardNode node = new SwitchyardNode(settings, model, modelConfig, dataPlane, endpoint, gateway,
                metrics, system, loadExecutor, pool, http, health);
            node.recorder = recorder;
            node.placement = board;
            return node;
        }
        catch (final RuntimeException ex)
        {
            for (int i = started.size() - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(started.get(i));
            }
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

    /** Whether the data plane is up, and which part stopped once one has ({@code /health}). */
    public NodeHealth health()
    {
        return health;
    }

    /**
     * Gateway and expert endpoint on one thread. On two cores the compute of a block and the
     * gateway's work then never wait for each other to be scheduled, and one thread fewer wakes.
     */
    private static void runShared(final DataPlane dataPlane, final GatewayCore gateway, final ExpertEndpoint endpoint)
    {
        final AgentRunner runner = new AgentRunner(dataPlane.newIdleStrategy(),
            new AgentErrors("data plane", gateway.metrics().agentErrors), null, new CompositeAgent(gateway, endpoint));
        gateway.runOn(runner, endpoint::doWork);
        endpoint.runOn(runner, gateway::pollReplies);
        AgentRunner.startOnThread(runner);
    }

    @SuppressWarnings("unchecked")
    private static ActorRef<ExpertLocator.Command>[] newLocatorHolder()
    {
        return (ActorRef<ExpertLocator.Command>[])new ActorRef<?>[1];
    }

    private static Config pekkoConfig(final NodeSettings settings, final Config full)
    {
        final List<String> roles = new ArrayList<>();
        if (settings.runsGateway())
        {
            roles.add(ROLE_GATEWAY);
        }
        if (settings.runsExperts())
        {
            roles.add(ROLE_EXPERTS);
        }
        final List<String> seeds = new ArrayList<>();
        for (final String seed : settings.seedNodes())
        {
            seeds.add("pekko://" + settings.systemName() + "@" + seed);
        }
        return ClusterTls.pekkoOverrides(full)
            .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(settings.clusterHost()))
            .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(settings.clusterPort()))
            .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles))
            .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
            .withFallback(full);
    }

    /** {@code switchyard.gateway.on-unavailable}: drop (degraded answers at once) or wait. */
    private static boolean dropUnavailable(final Config full)
    {
        final String choice = full.getString("switchyard.gateway.on-unavailable");
        return switch (choice)
        {
            case "drop" -> true;
            case "wait" -> false;
            default -> throw new BadInputException(
                "switchyard.gateway.on-unavailable must be wait or drop (got '" + choice + "')");
        };
    }

    private static void joinCluster(final ActorSystem<Void> system, final NodeSettings settings)
    {
        if (settings.seedNodes().isEmpty())
        {
            final Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
    }

    private static ExpertLoader expertLoader(
        final NodeSettings settings, final ModelDirectory model, final ModelConfig config, final ComputePool pool)
    {
        if (!settings.identityExperts())
        {
            return new ModelExpertLoader(model, ComputeBackends.vector(pool));
        }
        final LoadedExpert identity = LoadedExpert.holding(new IdentityExpert(config.dModel()));
        return (layer, expert) -> identity;
    }

    public NodeSettings settings()
    {
        return settings;
    }

    public ModelConfig modelConfig()
    {
        return modelConfig;
    }

    public ModelDirectory model()
    {
        return model;
    }

    public DataPlane dataPlane()
    {
        return dataPlane;
    }

    /** The gateway's data plane, or null on a node without the gateway role. */
    public GatewayCore gateway()
    {
        return gateway;
    }

    /** The expert endpoint, or null on a node without the experts role. */
    public ExpertEndpoint endpoint()
    {
        return endpoint;
    }

    /** The recorder of this node's gateway traffic, or null when it records nothing. */
    public TrafficRecorder recorder()
    {
        return recorder;
    }

    public GatewayMetrics metrics()
    {
        return metrics;
    }

    /** What this node knows of placement: measured work, extra copies, copies moving. */
    public PlacementBoard placement()
    {
        return placement;
    }

    /** The port of /metrics, or 0 without HTTP. */
    public int httpPort()
    {
        return http == null ? 0 : http.port();
    }

    public ActorSystem<Void> actorSystem()
    {
        return system;
    }

    /** HOST:PORT of this node's Pekko remoting, to give other nodes as a seed. */
    public String clusterAddress()
    {
        final Address address = Cluster.get(system).selfMember().address();
        return address.getHost().get() + ":" + address.getPort().get();
    }

    /** Waits until the gateway knows where every expert lives. */
    public void awaitReady(final Duration timeout) throws TimeoutException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (gateway != null && !gateway.allRoutesKnown())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new TimeoutException("experts not all located within " + timeout.toSeconds() + " s");
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new TimeoutException("interrupted while waiting for the experts");
            }
        }
    }

    /**
     * Leaves the cluster gracefully: sharding hands this node's experts off (each drains first),
     * then the node's parts stop in order.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        health.close();
        CloseHelper.quietClose(http);
        system.terminate();
        try
        {
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            Thread.currentThread().interrupt();
        }
        final boolean shared = gateway != null && endpoint != null && settings.sharedThread();
        if (shared)
        {
            // One thread serves both: the endpoint's linger comes first, then both stop together.
            sleepQuietly(ENDPOINT_LINGER_MS);
        }
        CloseHelper.quietClose(gateway);
        // After the gateway: the answers it sends while closing are recorded too.
        CloseHelper.quietClose(recorder);
        if (endpoint != null)
        {
            if (!shared)
            {
                // Blocks already on their way get their DRAINING answer rather than vanish.
                sleepQuietly(ENDPOINT_LINGER_MS);
            }
            endpoint.close();
        }
        loadExecutor.shutdownNow();
        CloseHelper.quietCloseAll(pool, dataPlane, model);
    }

    private static void sleepQuietly(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
