package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.node.http.HttpApi;
import dev.switchyard.node.http.HttpSettings;
import dev.switchyard.node.metrics.NodeHealth;
import dev.switchyard.node.record.TextRecorder;
import dev.switchyard.transformer.serving.EngineLimits;
import org.agrona.CloseHelper;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code serve --openai}: a decoder-only checkpoint folder served behind the node's HTTP listener: the
 * OpenAI-compatible routes, {@code /metrics} (the engine's), {@code /health} and {@code /ready}. The
 * MoE layers are local, or go through the serving system ({@link SystemMoe}: a node in this process,
 * which other nodes may join to host experts).
 */
final class LanguageServer implements AutoCloseable
{
    private final ComputePool pool;
    private final SystemMoe moe;  // or null: the MoE layers in this process
    private final EngineLanguageModel model;
    private final ActorSystem<Void> system;
    private final NodeHealth health;
    private final HttpApi api;
    private final TextRecorder recorder;  // or null: not recording

    private LanguageServer(final ComputePool pool, final SystemMoe moe, final EngineLanguageModel model,
        final ActorSystem<Void> system, final NodeHealth health, final HttpApi api, final TextRecorder recorder)
    {
        this.recorder = recorder;
        this.pool = pool;
        this.moe = moe;
        this.model = model;
        this.system = system;
        this.health = health;
        this.api = api;
    }

    /**
     * @param config        the node's configuration (switchyard.http.* and Pekko's settings)
     * @param threads       compute threads of the model's matrix products
     * @param throughSystem the MoE layers through a node started here rather than in process
     */
    static LanguageServer start(final Path dir, final Config config, final EngineLimits limits, final int threads,
        final boolean throughSystem)
    {
        return start(dir, config, limits, threads, throughSystem, null);
    }

    /** As above, recording the completions and chat requests with their answers into {@code record} (or null). */
    static LanguageServer start(final Path dir, final Config config, final EngineLimits limits, final int threads,
        final boolean throughSystem, final Path record)
    {
        final HttpSettings http = HttpSettings.from(config);
        final ComputePool pool = ComputePool.ofThreads(threads);
        final EngineMetrics metrics = new EngineMetrics();
        SystemMoe moe = null;
        EngineLanguageModel model = null;
        ActorSystem<Void> system = null;
        TextRecorder recorder = null;
        final NodeHealth health = new NodeHealth(() -> true);
        try
        {
            if (throughSystem)
            {
                try (Checkpoint checkpoint = Checkpoint.open(dir))
                {
                    moe = SystemMoe.start(config, checkpoint);
                }
                model = EngineLanguageModel.open(dir, moe.layers(), backend(config, pool), limits, metrics);
            }
            else
            {
                model = EngineLanguageModel.open(dir, backend(config, pool), null, limits, metrics);
            }
            // The listener's own actor system: local, whatever the node's cluster settings say.
            system = ActorSystem.create(Behaviors.empty(), "switchyard-lm",
                ConfigFactory.parseString("pekko.actor.provider = local").withFallback(config));
            recorder = record == null ? null : TextRecorder.start(record, model.name());
            final HttpApi api = new HttpApi(system, http, null, null, health, () -> true, Optional::empty,
                metrics::scrape, model, recorder);
            return new LanguageServer(pool, moe, model, system, health, api, recorder);
        }
        catch (final RuntimeException ex)
        {
            if (system != null)
            {
                system.terminate();
            }
            if (model != null)
            {
                model.close();
            }
            health.close();
            CloseHelper.quietCloseAll(recorder, moe);
            pool.close();
            throw ex;
        }
    }

    /** Serves until the process is interrupted; prints where. */
    static int serveUntilStopped(final Path dir, final Config config, final EngineLimits limits, final int threads,
        final boolean throughSystem, final Path record)
    {
        final CountDownLatch stopped = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        try (LanguageServer server = start(dir, config, limits, threads, throughSystem, record))
        {
            // The hook waits for the close below: the JVM halts when its hooks return.
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                stopped.countDown();
                awaitQuietly(closed);
            }, "switchyard-shutdown"));
            System.out.println("switchyard serving " + server.name() + " (language model, " + server.where() +
                "): http://" +
                config.getString("switchyard.http.host") + ":" + server.port() + "/v1/ (completions, " +
                "chat/completions, models), /metrics, /health, /ready" + (server.recorder == null ? "" :
                ", recording " + server.recorder.recordingId() + " into " + record));
            System.out.flush();
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            closed.countDown();
        }
        return 0;
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    int port()
    {
        return api.port();
    }

    String name()
    {
        return model.name();
    }

    /** Where the MoE layers are computed, for the serving line. */
    String where()
    {
        return moe == null ? "in process" : "MoE layers through the serving system, cluster " + moe.clusterAddress();
    }

    @Override
    public void close()
    {
        api.close();
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
        model.close();
        health.close();
        // After the listener and the engine: every answer made has reached the recorder's queue.
        CloseHelper.quietCloseAll(recorder, moe);
        pool.close();
    }

    /** The text recorder, or null when not recording. */
    TextRecorder recorder()
    {
        return recorder;
    }

    /** The experts' backend computes the decoder's dense products too: one set of bits per backend. */
    private static ComputeBackend backend(final Config config, final ComputePool pool)
    {
        final String key = "switchyard.experts.compute-backend";
        return ComputeBackends.byName(config.hasPath(key) ? config.getString(key) : ComputeBackends.VECTOR, pool);
    }
}
