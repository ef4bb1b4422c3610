package dev.switchyard.cli;

import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.node.system.NodeSettings;
import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.transformer.serving.EngineLimits;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchyard serve}: runs a node until interrupted. {@code --role all} (the default) is the
 * whole system in this JVM; {@code gateway} and {@code experts} nodes form a cluster through
 * {@code --seed-nodes}. Flags override the configuration file, which overrides the defaults.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve a model: gateway, experts or both, in a Pekko cluster with an Aeron data plane.")
public final class ServeCommand implements Callable<Integer>
{
    @Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration (see conf/switchyard.conf).")
    private Path config;

    @Option(names = "--role", paramLabel = "ROLE", description = "all (default), gateway or experts.")
    private String role;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory.")
    private Path model;

    @Option(names = "--bind", paramLabel = "HOST:PORT", description = "Where clients reach the gateway (Aeron UDP).")
    private String bind;

    @Option(names = "--seed-nodes", paramLabel = "HOST:PORT", split = ",",
        description = "Cluster seed nodes (Pekko remoting addresses), comma-separated.")
    private List<String> seedNodes;

    @Option(names = "--cluster", paramLabel = "HOST:PORT", description = "This node's Pekko remoting address.")
    private String cluster;

    @Option(names = "--data-host", paramLabel = "HOST",
        description = "Address other nodes reach this node's Aeron endpoints at.")
    private String dataHost;

    @Option(names = "--max-wait", paramLabel = "MICROS",
        description = "A shared group closes this long after its first token.")
    private Long maxWait;

    @Option(names = "--group-per-request", description = "Every request gets its own groups.")
    private boolean groupPerRequest;

    @Option(names = "--group-size", paramLabel = "TOKENS",
        description = "Tokens per group (default: the model's group_size; 256 for a checkpoint folder).")
    private Integer groupSize;

    @Option(names = "--threads", paramLabel = "N", description = "Expert compute threads on this node.")
    private Integer threads;

    @Option(names = "--backend", paramLabel = "B",
        description = "Expert compute backend: vector | native | auto | scalar (default: vector).")
    private String backend;

    @Option(names = {"--http-port", "--metrics-port"}, paramLabel = "PORT",
        description = "HTTP port of the inference API, /metrics, /health and /ready (0: none).")
    private Integer httpPort;

    @Option(names = "--on-unavailable", paramLabel = "wait|drop",
        description = "When an expert cannot be reached: wait for it (default) or answer at once without it, " +
            "marked DEGRADED (requests may choose for themselves).")
    private String onUnavailable;

    @Option(names = "--idle", paramLabel = "STRATEGY",
        description = "backoff (default), sleeping, yielding or busy-spin.")
    private String idle;

    @Option(names = "--record", paramLabel = "DIR",
        description = "Record every request and answer into DIR (an Aeron Archive; see 'switchyard recordings'); " +
            "with --openai, the completions and chat requests and their answers.")
    private Path record;

    @Option(names = "--openai",
        description = "Serve the decoder-only checkpoint folder of --model whole with the OpenAI-compatible API " +
            "(/v1/completions, /v1/chat/completions, /v1/models) on --http-port; its MoE layers in this process, " +
            "or through the serving system with --system-moe or any cluster flag.")
    private boolean openai;

    @Option(names = "--system-moe",
        description = "--openai: the MoE layers through a node started in this process (expert nodes may join it).")
    private boolean systemMoe;

    @Option(names = "--max-running", paramLabel = "N",
        description = "--openai: sequences decoded together at most (default: ${DEFAULT-VALUE}).")
    private int maxRunning = 16;

    @Option(names = "--token-budget", paramLabel = "T",
        description = "--openai: key/value positions (prompt + max_tokens) the running sequences hold together " +
            "(default: ${DEFAULT-VALUE}).")
    private long tokenBudget = 65_536;

    @Option(names = "--max-queued", paramLabel = "N",
        description = "--openai: requests waiting for room at most; more are answered 429 (default: ${DEFAULT-VALUE}).")
    private int maxQueued = 64;

    @Override
    public Integer call() throws Exception
    {
        final Config config = configuration();
        if (openai)
        {
            return serveLanguageModel(config);
        }
        PortCheck.check(NodeSettings.from(withDefaults(config)));
        final NodeSupervisor supervisor = new NodeSupervisor(() -> start(config), node ->
        {
            System.out.println(servingLine(node));
            System.out.flush();
        });
        final Thread hook = new Thread(supervisor::stop, "switchyard-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return supervisor.run();
    }

    /** {@code --openai}: the language model in process until interrupted. */
    private int serveLanguageModel(final Config config)
    {
        if (model == null || !MoeFamily.isCheckpoint(
            CliArgs.existingDirectory("--model", model)))
        {
            throw new BadInputException("--openai serves a decoder-only Hugging Face checkpoint folder: give it as " +
                "--model DIR");
        }
        if (role != null && !role.equals("all") && !role.equals("gateway"))
        {
            throw new BadInputException("--openai --role " + role + ": the language model's node runs the " +
                "gateway (--role all or gateway)");
        }
        // Any cluster flag: the MoE layers go through a node started here, which expert nodes can join.
        final boolean throughSystem = systemMoe || role != null || bind != null || seedNodes != null ||
            cluster != null || dataHost != null;
        // --record records the text traffic (LanguageServer), not the MoE layers' requests of the node started here.
        final Config full = withDefaults(config).withValue("switchyard.record.dir",
            com.typesafe.config.ConfigValueFactory.fromAnyRef(""));
        if (full.getInt("switchyard.http.port") <= 0)
        {
            throw new BadInputException("--openai answers over HTTP: give --http-port PORT");
        }
        return LanguageServer.serveUntilStopped(model, full, new EngineLimits(maxRunning, tokenBudget, maxQueued),
            threads != null ? threads : Runtime.getRuntime().availableProcessors(), throughSystem, record);
    }

    private static String servingLine(final SwitchyardNode node)
    {
        final StringBuilder line = new StringBuilder("switchyard serving ")
            .append(node.settings().model()).append(" as ").append(node.settings().role())
            .append(": cluster ").append(node.clusterAddress());
        if (node.gateway() != null)
        {
            final String channel = node.gateway().clientChannel();
            line.append(", clients ").append(channel.substring(channel.indexOf("endpoint=") + 9).split("\\|")[0]);
        }
        final DataPlaneSettings plane = node.dataPlane().settings();
        line.append(", data plane terms ").append(plane.ipcTermLength() >> 10).append('/')
            .append(plane.udpTermLength() >> 10).append(" KiB (IPC/UDP)");
        if (node.httpPort() > 0)
        {
            line.append(", http://").append(node.settings().http().host()).append(':')
                .append(node.httpPort()).append("/ (API, /metrics, /health, /ready)");
        }
        if (node.recorder() != null)
        {
            line.append(", recording ").append(node.recorder().recordingId()).append(" into ")
                .append(node.recorder().directory());
        }
        return line.toString();
    }

    /** The node's settings as it will read them: these over the packaged defaults. */
    private static Config withDefaults(final Config config)
    {
        final ClassLoader loader = ServeCommand.class.getClassLoader();
        return config
            .withFallback(ConfigFactory.parseResources(loader, "switchyard-pekko.conf"))
            .withFallback(ConfigFactory.defaultReference(loader))
            .resolve();
    }

    /**
     * Starts the node; a port taken between the check and the start (or one the check cannot see) is
     * still one line.
     */
    private static SwitchyardNode start(final Config config)
    {
        try
        {
            return SwitchyardNode.start(config);
        }
        catch (final RuntimeException ex)
        {
            for (Throwable t = ex; t != null; t = t.getCause())
            {
                final String message = String.valueOf(t.getMessage());
                if (t instanceof BindException ||
                    message.contains("Address already in use") || message.contains("Failed to bind"))
                {
                    throw new BadInputException("a port of this node cannot be bound: " +
                        message.lines().findFirst().orElse("") + " (ports are set by switchyard.cluster.port, " +
                        "switchyard.gateway.bind, switchyard.http.port and switchyard.data-plane.*-port)", ex);
                }
            }
            throw ex;
        }
    }

    Config configuration()
    {
        Config flags = ConfigFactory.empty();
        final List<Object[]> pairs = new ArrayList<>();
        addPlacement(pairs);
        addServing(pairs);
        for (final Object[] p : pairs)
        {
            flags = flags.withValue((String)p[0], ConfigValueFactory.fromAnyRef(p[1]));
        }
        return config == null ? flags : withFile(flags);
    }

    /** The flags that say what this node is and where it is reached, as (path, value) pairs. */
    private void addPlacement(final List<Object[]> pairs)
    {
        if (role != null)
        {
            pairs.add(new Object[] {"switchyard.role", role});
        }
        if (model != null)
        {
            pairs.add(new Object[] {"switchyard.model", model.toString()});
        }
        if (bind != null)
        {
            pairs.add(new Object[] {"switchyard.gateway.bind", bind});
        }
        if (seedNodes != null)
        {
            pairs.add(new Object[] {"switchyard.cluster.seed-nodes", seedNodes});
        }
        if (cluster != null)
        {
            final int colon = cluster.lastIndexOf(':');
            if (colon < 1)
            {
                throw new BadInputException("--cluster must be HOST:PORT (got '" + cluster + "')");
            }
            pairs.add(new Object[] {"switchyard.cluster.host", cluster.substring(0, colon)});
            pairs.add(new Object[] {"switchyard.cluster.port", cluster.substring(colon + 1)});
        }
        if (dataHost != null)
        {
            pairs.add(new Object[] {"switchyard.data-plane.host", dataHost});
        }
    }

    /** The flags that say how this node serves, as (path, value) pairs. */
    private void addServing(final List<Object[]> pairs)
    {
        if (maxWait != null)
        {
            pairs.add(new Object[] {"switchyard.gateway.max-wait-us", maxWait});
        }
        if (groupSize != null)
        {
            pairs.add(new Object[] {"switchyard.gateway.group-size", CliArgs.positive("--group-size", groupSize)});
        }
        if (groupPerRequest)
        {
            pairs.add(new Object[] {"switchyard.gateway.group-per-request", true});
        }
        if (threads != null)
        {
            pairs.add(new Object[] {"switchyard.experts.compute-threads", threads});
        }
        if (backend != null)
        {
            pairs.add(new Object[] {"switchyard.experts.compute-backend", backend});
        }
        if (httpPort != null)
        {
            pairs.add(new Object[] {"switchyard.http.port", httpPort});
        }
        if (onUnavailable != null)
        {
            pairs.add(new Object[] {"switchyard.gateway.on-unavailable", onUnavailable});
        }
        if (idle != null)
        {
            pairs.add(new Object[] {"switchyard.data-plane.idle", idle});
        }
        if (record != null)
        {
            pairs.add(new Object[] {"switchyard.record.dir", record.toString()});
        }
    }

    /** The flags over the --config file, which must exist and parse. */
    private Config withFile(final Config flags)
    {
        if (!Files.isRegularFile(config))
        {
            throw new BadInputException("configuration file " + config + " does not exist");
        }
        try
        {
            return flags.withFallback(ConfigFactory.parseFile(
                config.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)));
        }
        catch (final ConfigException ex)
        {
            throw new BadInputException("configuration file " + config + ": " + ex.getMessage());
        }
    }
}
