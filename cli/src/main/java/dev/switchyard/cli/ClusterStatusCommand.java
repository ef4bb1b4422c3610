package dev.switchyard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.node.cluster.ClusterStatus;
import dev.switchyard.node.cluster.StatusReport;
import dev.switchyard.wire.BadInputException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchyard cluster status}: asks one node of a running cluster (over Pekko remoting,
 * without joining) for its members, where every expert is served, the load of each over the last
 * minute and what is unreachable or moving.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Members, where every expert is served, per-expert load over the last minute, moves and " +
        "unreachable members.")
final class ClusterStatusCommand implements Callable<Integer>
{
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--connect", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:2551",
        description = "The cluster (Pekko remoting) address of any node; a gateway node also reports load " +
            "(default: ${DEFAULT-VALUE}).")
    private String connect;

    @Option(names = "--system-name", paramLabel = "NAME", defaultValue = "switchyard",
        description = "switchyard.cluster.system-name of the cluster (default: ${DEFAULT-VALUE}).")
    private String systemName;

    @Option(names = "--json", description = "Print the report as JSON.")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
        description = "How long to wait for the node's report (default: ${DEFAULT-VALUE}); an address where " +
            "nothing listens fails within 2 s.")
    private int timeoutS;

    private static final long PROBE_MS = 2000;

    @Override
    public Integer call() throws Exception
    {
        ConnectAddress.hostPort("--connect", connect, "a node's cluster (Pekko remoting) address");
        final int colon = connect.lastIndexOf(':');
        final String local = probe(connect.substring(0, colon), Integer.parseInt(connect.substring(colon + 1)));
        final StatusReport report = ask(connect.substring(0, colon), connect.substring(colon + 1), local);
        final PrintWriter out = spec.commandLine().getOut();
        if (json)
        {
            out.println(json(report));
        }
        else
        {
            print(report, out);
        }
        out.flush();
        return 0;
    }

    /**
     * Fails at once when nothing listens at the address: remoting would retry the connection silently
     * until the whole timeout has passed. Returns the local address the connection left from: the
     * node answers there, so the status system must be reachable at it (loopback only for a node on
     * loopback).
     */
    private String probe(final String host, final int port)
    {
        final int millis = (int)Math.min(PROBE_MS, TimeUnit.SECONDS.toMillis(timeoutS));
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(host, port), millis);
            return socket.getLocalAddress().getHostAddress();
        }
        catch (final SocketTimeoutException ex)
        {
            throw new BadInputException("no Switchyard node answered at " + host + ":" + port + ": no connection " +
                "within " + millis + " ms (is --connect a node's cluster address?)");
        }
        catch (final IOException ex)
        {
            throw new BadInputException("no Switchyard node listens at " + host + ":" + port + ": " + ex.getMessage() +
                " (is --connect a node's cluster address?)");
        }
    }

    private StatusReport ask(final String host, final String port, final String local)
    {
        final String node = "pekko://" + systemName + "@" + host + ":" + port;
        final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchyard-status", remoteOnly(local));
        try
        {
            final Duration timeout = Duration.ofSeconds(timeoutS);
            final ActorRef<ClusterStatus.Command> status = Adapter.toTyped(Adapter.toClassic(system)
                .actorSelection(node + "/system/" + ClusterStatus.NAME)
                .resolveOne(timeout).toCompletableFuture().join());
            return AskPattern.<ClusterStatus.Command, StatusReport>ask(status, ClusterStatus.Get::new,
                timeout, system.scheduler()).toCompletableFuture().join();
        }
        catch (final CompletionException ex)
        {
            throw new BadInputException("no Switchyard node answered at " + host + ":" + port + " within " + timeoutS +
                " s (is --connect a node's cluster address, and --system-name its system's?)");
        }
        finally
        {
            system.terminate();
            try
            {
                system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            catch (final Exception ignored)
            {
                // Leaving anyway: the report is printed or the error said.
            }
        }
    }

    /** The report, and per member the expert copies it hosts and their work, with the spread of work. */
    static String json(final StatusReport report) throws JsonProcessingException
    {
        final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        final ObjectNode root = mapper.valueToTree(report);
        final NodeLoads loads = NodeLoads.of(report);
        root.set("nodes", mapper.valueToTree(loads.nodes()));
        root.set("workMaxOverMean", mapper.valueToTree(loads.workMaxOverMean()));
        return mapper.writeValueAsString(root);
    }

    /** A remoting-only actor system: it talks to one node and never joins the cluster. */
    private static Config remoteOnly(final String local)
    {
        return ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = remote",
            "pekko.remote.artery.canonical.hostname = \"" + local + "\"",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.loglevel = ERROR",
            "pekko.stdout-loglevel = OFF",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
            .withFallback(ConfigFactory.parseResources(ClusterStatusCommand.class.getClassLoader(),
                "switchyard-pekko.conf"))
            .withFallback(ConfigFactory.defaultReference(ClusterStatusCommand.class.getClassLoader()))
            .resolve();
    }

    private static void print(final StatusReport report, final PrintWriter out)
    {
        final NodeLoads loads = NodeLoads.of(report);
        out.println("members (" + report.members().size() + ", as " + report.reporter() + " sees them):");
        for (final NodeLoads.Node n : loads.nodes())
        {
            out.printf("  %-40s %-8s roles %-16s experts %d%s%s%n", n.address(), n.status(),
                String.join(",", n.roles()), n.experts(),
                n.workMsPerSec() != null ? String.format(Locale.ROOT, "  work %.2f ms/s", n.workMsPerSec()) : "",
                n.unreachable() ? "  UNREACHABLE" : "");
        }
        if (loads.workMaxOverMean() != null)
        {
            out.printf(Locale.ROOT, "work across %s: max/mean %.2f%n", Counts.of(loads.expertNodes(), "expert node"),
                loads.workMaxOverMean());
        }
        out.println("unreachable: " + (report.unreachable().isEmpty() ? "none" :
            String.join(", ", report.unreachable())));
        if (report.silentEndpoints() != null && !report.silentEndpoints().isEmpty())
        {
            // The data plane can fail where the cluster does not: an address advertised wrong, a UDP port dropped.
            out.println("expert endpoints not answering this gateway's blocks:");
            report.silentEndpoints().forEach(e -> out.println("  " + e));
        }
        out.println(report.loadWindowS() > 0
            ? "experts (layer-expert, node, rows/s and work in ms of compute/s over the last " +
                report.loadWindowS() + " s):"
            : "experts (layer-expert, node; load is reported by gateway nodes):");
        report.experts().stream()
            .sorted(Comparator.comparingInt(StatusReport.Expert::layer).thenComparingInt(StatusReport.Expert::expert))
            .forEach(e ->
            {
                out.printf("  %d-%-4d %-40s %s%n", e.layer(), e.expert(),
                    e.moving() ? "(moving: not located within 2 s)" : e.node(),
                    report.loadWindowS() > 0 ?
                        String.format(Locale.ROOT, "%.1f rows/s %.2f ms/s", e.rowsPerSec(), e.workMsPerSec()) :
                        "");
                e.replicas().forEach(c -> out.printf("    replica %d %-40s%n", c.replica(),
                    c.moving() ? "(moving: not located within 2 s)" : c.node()));
            });
        final long moving = report.experts().stream().mapToLong(StatusReport.Expert::copiesMoving).sum();
        out.println("moves in progress: " + (moving == 0 ? "none" : moving + " expert copies between homes"));
        out.println("placement moving or starting: " + (report.moves() == null || report.moves().isEmpty() ? "none" :
            String.join(", ", report.moves())));
    }
}
