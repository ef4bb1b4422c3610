package dev.switchyard.node.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.node.cluster.OpenLoopLoad.Phase;
import dev.switchyard.node.cluster.OpenLoopLoad.Sent;
import dev.switchyard.testkit.Await;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NetworkLabTest}'s faults, one after another under the open-loop load: each sets the
 * load's phase, injects the fault, waits for the cluster to converge after it (the time goes into
 * {@code convergedMs}) and ends with a settled phase whose requests are all answered before the next
 * fault begins, so that every answer is counted against the fault it met.
 */
final class LabFaults
{
    /** Requests of a settled phase (after convergence): 1 s of load. */
    static final int SETTLED_REQUESTS = 20;
    /** Requests of each loss phase: enough for a p99 (the two slowest of 200). */
    static final int LOSS_REQUESTS = 200;
    /** Time between requests of a loss phase (smaller requests, sent faster than the 20 per s). */
    static final long LOSS_PERIOD_MS = 20;
    private static final Duration CONVERGE_WITHIN = Duration.ofSeconds(60);

    private final NetLab lab;
    private final OpenLoopLoad load;
    private final List<Sent> sent;
    private final SwitchyardClient client;
    private final String seed;
    private final Convergence convergence;
    private final Map<String, Long> convergedMs;

    LabFaults(final NetLab lab, final OpenLoopLoad load, final List<Sent> sent, final SwitchyardClient client,
        final String seed, final Convergence convergence, final Map<String, Long> convergedMs)
    {
        this.lab = lab;
        this.load = load;
        this.sent = sent;
        this.client = client;
        this.seed = seed;
        this.convergence = convergence;
        this.convergedMs = convergedMs;
    }

    /** {@code count} requests of {@code phase}, then each of them answered. */
    void settled(final Phase phase, final int count) throws Exception
    {
        load.phase = phase;
        load.awaitSentInPhase(count);
        LabLedger.settle(load, sent, phase);
    }

    /**
     * The same small requests at 50 per s with no loss, then with 1% and then 5% of the data frames
     * every node receives dropped ({@link SwitchableLoss}); returns p50 and p99 of each, in ms.
     */
    String loss(final Path lossFile, final int[] smallInputs) throws Exception
    {
        final long period = load.periodMs;
        final int[] range = load.inputRange;
        load.periodMs = LOSS_PERIOD_MS;
        load.inputRange = smallInputs;
        final StringBuilder figures = new StringBuilder();
        try
        {
            for (final Phase p : List.of(Phase.LOSS_NONE, Phase.LOSS_1, Phase.LOSS_5))
            {
                final double rate = p == Phase.LOSS_1 ? 0.01 : p == Phase.LOSS_5 ? 0.05 : 0;
                SwitchableLoss.set(lossFile, rate);
                // Every node reads the rate within 50 ms: 10 requests at 20 ms apart outlast that.
                load.awaitSentInPhase(load.sentInPhase() + 10);
                settled(p, LOSS_REQUESTS);
                figures.append(String.format("%s%.0f%% loss: p50 %.1f ms, p99 %.1f ms", figures.isEmpty() ? "" : "; ",
                    rate * 100, load.percentile(p, 0.50), load.percentile(p, 0.99)));
            }
        }
        finally
        {
            SwitchableLoss.set(lossFile, 0);
            load.periodMs = period;
            load.inputRange = range;
        }
        return figures.toString();
    }

    /**
     * Expert host {@code host} cut off for 10 s while requests leave the choice to the gateway
     * ({@code --on-unavailable drop}): answered OK, or DEGRADED without the experts they could not
     * reach, until the cluster has converged; then exact answers again.
     */
    void cutWithDrop(final int host, final RequestOptions base) throws Exception
    {
        load.options = base.withOnUnavailable(RequestOptions.OnUnavailable.DEFAULT);
        load.phase = Phase.CUT;
        lab.cut(host);
        load.awaitSentInPhase(seconds(10));
        lab.heal(host);
        load.phase = Phase.HEALING;
        convergedMs.put("after the cut", convergence.await(seed, client, "after the cut was healed", CONVERGE_WITHIN));
        settled(Phase.HEALED, SETTLED_REQUESTS);
        load.options = base;
    }

    /** {@code node} frozen (SIGSTOP) for 15 s, then SIGCONT. */
    void freeze(final ServeProcess node) throws Exception
    {
        load.phase = Phase.FROZEN;
        node.pause();
        load.awaitSentInPhase(seconds(15));
        node.resume();
        load.phase = Phase.THAWING;
        convergedMs.put("after the freeze", convergence.await(seed, client, "after SIGCONT", CONVERGE_WITHIN));
        settled(Phase.THAWED, SETTLED_REQUESTS);
    }

    /** Host {@code host}'s link down 2 s, up 2 s, five times (the load is the clock). */
    void flap(final int host) throws Exception
    {
        load.phase = Phase.FLAPPING;
        for (int i = 0; i < 5; i++)
        {
            lab.cut(host);
            load.awaitSentInPhase((2 * i + 1) * seconds(2));
            lab.heal(host);
            load.awaitSentInPhase((2 * i + 2) * seconds(2));
        }
        load.phase = Phase.STEADIED;
        convergedMs.put("after flapping", convergence.await(seed, client, "after the link stopped flapping",
            CONVERGE_WITHIN));
        settled(Phase.FLAPPED, SETTLED_REQUESTS);
    }

    /** Split brain for 10 s: {@code hosts} on one side, the gateway with the rest on the other. */
    void splitBrain(final int... hosts) throws Exception
    {
        load.phase = Phase.SPLIT;
        lab.split(hosts);
        load.awaitSentInPhase(seconds(10));
        lab.join();
        load.phase = Phase.JOINING;
        convergedMs.put("after the split", convergence.await(seed, client, "after the split brain ended",
            CONVERGE_WITHIN));
        settled(Phase.JOINED, SETTLED_REQUESTS);
    }

    /**
     * Every node in turn, expert nodes first, then the gateways: SIGTERM, its graceful stop (a
     * gateway drains: it answers what it took and its clients send the rest to the other gateway; an
     * expert node hands its experts over) and exit, the same command started again, and the cluster
     * converged with it (hosting experts, or serving clients again), before the next. The cluster's
     * status is asked of {@code statusVia}'s answer for the node restarting. {@code nodes} is updated
     * with each new process, and {@code started} told of it; {@code restarts} gets each step's times.
     */
    void rollingRestart(final ServeProcess[] nodes, final Function<ServeProcess, String> statusVia,
        final Consumer<ServeProcess> started, final List<String> restarts) throws Exception
    {
        load.phase = Phase.ROLLING;
        for (int i = 0; i < nodes.length; i++)
        {
            final ServeProcess old = nodes[i];
            final String via = statusVia.apply(old);
            final long startNs = System.nanoTime();
            old.terminate();
            assertTrue(old.awaitExit(60), old.name + " did not exit within 60 s of SIGTERM\n" + old.output());
            final long exitedNs = System.nanoTime();
            nodes[i] = old.restart(old.name + "-restarted");
            started.accept(nodes[i]);
            nodes[i].addresses(120);
            final long servingNs = System.nanoTime();
            convergence.await(via, client, "after restarting " + old.name, CONVERGE_WITHIN);
            if (old.name.contains("gateway"))
            {
                // The next gateway stops only once this one serves the client again.
                Await.until(() -> client.gatewaysServing() == client.gateways(), CONVERGE_WITHIN,
                    () -> old.name + " restarted never served the client again");
            }
            final long endNs = System.nanoTime();
            restarts.add(String.format("%s: exited %d ms after SIGTERM, serving again %d ms later, converged " +
                "%d ms after that", old.name, ms(exitedNs - startNs), ms(servingNs - exitedNs),
                ms(endNs - servingNs)));
        }
        LabLedger.settle(load, sent, Phase.ROLLING);
    }

    private static long ms(final long ns)
    {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }

    private int seconds(final int s)
    {
        return (int)(s * 1000 / load.periodMs);
    }
}
