package dev.switchyard.tools.benchlayer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.layer.IdentityExpert;
import dev.switchyard.compute.network.BlockCompute;
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.compute.router.RouterProjection;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.routing.gating.Top2Gating;
import dev.switchyard.routing.plan.Combine;
import dev.switchyard.routing.plan.Dispatch;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.routing.plan.TokenGroups;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.LoggerFactory;

/**
 * The same dispatch and combine blocks as the Aeron data plane (SBE {@code ExpertBlock} frames),
 * carried as Pekko remote messages instead: two actor systems in this JVM talk Artery TCP over
 * loopback. The gateway side (one thread) gates each group, sends every expert its block as a
 * {@code byte[]} message and combines the answers as they arrive; the expert side is one actor on a
 * thread of its own that runs the experts one block after another, as an expert endpoint does.
 * <p>
 * Artery's frame limit (256 KiB by default) is below a block of a large model, so this transport
 * raises {@code maximum-frame-size} to the largest block rather than splitting blocks: the
 * comparison then counts Artery's own cost per message, not a chunking layer's.
 */
public final class ArteryTransport implements BenchTransport
{
    private static final String EXPERT_DISPATCHER = "switchyard-bench-expert-dispatcher";
    private static final long ANSWER_TIMEOUT_S = 60;

    private final ModelConfig config;
    private final int d;
    private final int groupSize;
    private final RouterProjection router;
    private final Top2Gating gating;
    private final ComputePool pool;
    private final ActorSystem<byte[]> gatewaySystem;
    private final ActorSystem<Void> expertSystem;
    private final ActorRef<byte[]> experts;
    private final LinkedBlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
    private final ExpertBlockFrame frame = new ExpertBlockFrame();
    private final UnsafeBuffer sendBuffer;
    private final float[] gates;      // [G, E]
    private final float[] block;      // [max block rows, d]
    private final float[] answerRows; // [max block rows, d]
    private final List<RoutingPlan> plans = new ArrayList<>();
    private final ExecutorService gatewayThread = Executors.newSingleThreadExecutor(r ->
    {
        final Thread t = new Thread(r, "bench-artery-gateway");
        t.setDaemon(true);
        return t;
    });
    private float[] y = new float[0];

    /** @param identity experts answer their blocks unchanged (see {@link IdentityExpert}) */
    public ArteryTransport(final ModelDirectory model, final int threads, final boolean identity)
    {
        // Logging first: actor systems that start it concurrently make SLF4J replay their early calls.
        LoggerFactory.getILoggerFactory();
        this.config = model.config();
        this.d = config.dModel();
        this.groupSize = config.routing().groupSize();
        final int numExperts = config.numExperts();
        this.router = new RouterProjection(model.router(0));
        this.gating = new Top2Gating(config.routing(), numExperts, groupSize);
        final int maxRows = config.routing().maxBlockRows(numExperts);
        final int maxFrame = (int)WireLayout.blockFrameLength(maxRows, d);
        this.sendBuffer = new UnsafeBuffer(new byte[maxFrame]);
        this.gates = new float[groupSize * numExperts];
        this.block = new float[maxRows * d];
        this.answerRows = new float[maxRows * d];
        this.pool = ComputePool.ofThreads(threads);
        final BlockCompute[] computes = new BlockCompute[numExperts];
        for (int e = 0; e < numExperts; e++)
        {
            computes[e] = identity ? new IdentityExpert(d) : ExpertNetwork.load(
                model.expert(0, e), config.activation(), ComputeBackends.vector(pool), WeightFormat.F32);
        }
        final Config artery = arteryConfig(maxFrame);
        this.gatewaySystem = ActorSystem.create(inbox(answers), "artery-gateway", artery);
        final String inboxAddress = ActorRefResolver.get(gatewaySystem).toSerializationFormat(gatewaySystem);
        final CompletableFuture<ActorRef<byte[]>> expertActor = new CompletableFuture<>();
        this.expertSystem = ActorSystem.create(Behaviors.<Void>setup(ctx ->
        {
            expertActor.complete(ctx.spawn(ArteryExpertActor.create(inboxAddress, computes, maxRows, d), "experts",
                DispatcherSelector.fromConfig(EXPERT_DISPATCHER)));
            return Behaviors.empty();
        }), "artery-experts", artery);
        final String expertAddress = ActorRefResolver.get(expertSystem).toSerializationFormat(expertActor.join());
        // Resolved in the gateway's system, the reference is remote: every block crosses Artery.
        this.experts = ActorRefResolver.get(gatewaySystem).resolveActorRef(expertAddress);
    }

    private static Config arteryConfig(final int maxFrame)
    {
        // Frames hold a whole block; fewer pooled buffers keep the larger frames' memory bounded.
        final int frame = Math.max(256 * 1024, WireLayout.align(maxFrame + 4096, 4096));
        return ConfigFactory.parseString(
            // Closing the two systems aborts their connections to each other, which Pekko reports as
            // warnings; nothing else they could say is a warning about the measurement.
            "pekko.loglevel = ERROR\n" +
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n" +
            "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n" +
            "pekko.actor.provider = remote\n" +
            "pekko.remote.artery.transport = tcp\n" +
            "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n" +
            "pekko.remote.artery.canonical.port = 0\n" +
            "pekko.remote.artery.advanced.maximum-frame-size = " + frame + "\n" +
            "pekko.remote.artery.advanced.buffer-pool-size = 16\n" +
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n" +
            "pekko.coordinated-shutdown.exit-jvm = off\n" +
            EXPERT_DISPATCHER + " { type = PinnedDispatcher, executor = thread-pool-executor }\n")
            .withFallback(ConfigFactory.load(ArteryTransport.class.getClassLoader()));
    }

    private static Behavior<byte[]> inbox(final LinkedBlockingQueue<byte[]> answers)
    {
        return Behaviors.receiveMessage(bytes ->
        {
            answers.add(bytes);
            return Behaviors.same();
        });
    }

    @Override
    public CompletableFuture<Void> submit(final float[] x, final int rows)
    {
        return CompletableFuture.runAsync(() -> forward(x, rows), gatewayThread);
    }

    /** Every group gated and dispatched at once, then the answers combined as they come. */
    private void forward(final float[] x, final int rows)
    {
        if (y.length < rows * d)
        {
            y = new float[rows * d];
        }
        final TokenGroups groups = new TokenGroups(rows, groupSize);
        while (plans.size() < groups.count())
        {
            plans.add(new RoutingPlan(groupSize, config.numExperts()));
        }
        int outstanding = 0;
        for (int g = 0; g < groups.count(); g++)
        {
            final int start = groups.start(g);
            final int size = groups.size(g);
            final RoutingPlan plan = plans.get(g);
            router.gates(x, start * d, size, gates);
            gating.route(gates, size, null, start, g, plan);
            Combine.clear(y, start * d, size, d);
            for (int e = 0; e < config.numExperts(); e++)
            {
                final int n = plan.slotCount(e);
                if (n == 0)
                {
                    continue;
                }
                Dispatch.gather(plan, e, x, start * d, d, block);
                final int length = frame.write(sendBuffer, 0, g, 0, 0, e, 0, n, d, BlockStatus.OK, block, 0);
                // Artery serializes after tell returns: each message needs an array of its own.
                final byte[] message = new byte[length];
                sendBuffer.getBytes(0, message);
                experts.tell(message);
                outstanding++;
            }
        }
        while (outstanding > 0)
        {
            final byte[] answer = take();
            final UnsafeBuffer buffer = new UnsafeBuffer(answer);
            final BlockStatus framing = frame.wrap(buffer, 0, answer.length);
            final BlockStatus status = framing == BlockStatus.OK ? frame.status() : framing;
            final int g = (int)frame.groupId();
            if (status != BlockStatus.OK || g < 0 || g >= groups.count() ||
                frame.rows() != plans.get(g).slotCount(frame.expert()))
            {
                throw new IllegalStateException("expert " + frame.expert() + " answered " + status + " for group " + g);
            }
            frame.readRows(answerRows, 0);
            Combine.accumulate(plans.get(g), frame.expert(), answerRows, d, y, groups.start(g) * d);
            outstanding--;
        }
    }

    private byte[] take()
    {
        try
        {
            final byte[] answer = answers.poll(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
            if (answer == null)
            {
                throw new IllegalStateException("no expert answer over Artery within " + ANSWER_TIMEOUT_S + " s");
            }
            return answer;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for expert answers");
        }
    }

    @Override
    public void close()
    {
        gatewayThread.shutdownNow();
        gatewaySystem.terminate();
        expertSystem.terminate();
        try
        {
            gatewaySystem.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            expertSystem.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}
