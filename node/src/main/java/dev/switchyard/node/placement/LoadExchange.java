package dev.switchyard.node.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.node.cluster.ExpertLocator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * A node's part in placement, one actor per node: keeps its {@link PlacementBoard} up to date from
 * the cluster-wide topic and, every publish interval, says what it measured: a gateway node the
 * work of every expert over the placement window (rows per second times cost per row), an expert
 * node what a row of each expert it served cost it.
 * <p>
 * A topic rather than replicated data: each message is a whole, periodic snapshot that supersedes
 * the last, so there is nothing to merge, and every expert node (wherever the shard coordinator
 * runs next) already holds the latest when it needs it.
 * <p>
 * Where the gateway routes the copies of open bridges is the gateway's {@link ExpertLocator}'s to
 * know: a gateway node asks it before each publication that names any.
 */
public final class LoadExchange
{
    /** Nominal speed that turns an expert's FLOPs into a cost before any node measured one. */
    static final double NOMINAL_FLOPS_PER_NS = 10.0;
    private static final double SMOOTHING = 0.3;

    public sealed interface Command permits Publish, Heard, Routed
    {
    }

    record Publish() implements Command
    {
    }

    record Heard(PlacementMessage message) implements Command
    {
    }

    /** The work measured at a publication, with the routes of its bridges' copies the locator gave. */
    record Routed(double[] work, Map<String, String> routes) implements Command
    {
    }

    private final ActorContext<Command> context;
    private final PlacementBoard board;
    private final ActorRef<Topic.Command<PlacementMessage>> topic;
    private final PlacementSettings settings;
    private final String self;
    private final ExpertLoad load;
    private final ActorRef<ExpertLocator.RoutesOf> locator;
    private final double[] flopsPerRow;
    private final ExpertEndpoint endpoint;
    private final long[] rowsBefore;
    private final long[] nanosBefore;
    private final double[] nanosPerRow;

    private LoadExchange(
        final ActorContext<Command> context, final PlacementBoard board,
        final ActorRef<Topic.Command<PlacementMessage>> topic, final PlacementSettings settings, final String self,
        final ExpertLoad load, final ActorRef<ExpertLocator.RoutesOf> locator, final double[] flopsPerRow,
        final ExpertEndpoint endpoint, final int cells)
    {
        this.context = context;
        this.locator = locator;
        this.board = board;
        this.topic = topic;
        this.settings = settings;
        this.self = self;
        this.load = load;
        this.flopsPerRow = flopsPerRow;
        this.endpoint = endpoint;
        this.rowsBefore = new long[cells];
        this.nanosBefore = new long[cells];
        this.nanosPerRow = new double[cells];
        Arrays.fill(nanosPerRow, -1);
    }

    /**
     * @param load        the gateway's per-expert rows on this node, or null without a gateway
     * @param locator     the gateway's locator, which knows where each copy is routed, or null without one
     * @param flopsPerRow [experts]: the FLOPs of a row of each expert of a layer (see {@link #cost})
     * @param endpoint    this node's expert endpoint, or null without experts
     */
    public static Behavior<Command> create(
        final PlacementBoard board, final ActorRef<Topic.Command<PlacementMessage>> topic,
        final PlacementSettings settings, final String self, final int layers, final int experts,
        final ExpertLoad load, final ActorRef<ExpertLocator.RoutesOf> locator, final double[] flopsPerRow,
        final ExpertEndpoint endpoint)
    {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        {
            topic.tell(Topic.subscribe(ctx.messageAdapter(PlacementMessage.class, Heard::new)));
            timers.startTimerWithFixedDelay(new Publish(), settings.publishEvery());
            final LoadExchange exchange = new LoadExchange(ctx, board, topic, settings, self, load, locator,
                flopsPerRow, endpoint, layers * experts);
            return Behaviors.receive(Command.class)
                .onMessage(Heard.class, m ->
                {
                    board.offer(m.message(), System.currentTimeMillis());
                    return Behaviors.same();
                })
                .onMessage(Publish.class, m ->
                {
                    exchange.publish(layers, experts);
                    return Behaviors.same();
                })
                .onMessage(Routed.class, m ->
                {
                    topic.tell(Topic.publish(new PlacementMessage.Load(self, layers, experts, m.work(), m.routes())));
                    return Behaviors.same();
                })
                .build();
        }));
    }

    private void publish(final int layers, final int experts)
    {
        if (endpoint != null)
        {
            measureCosts(layers, experts);
            topic.tell(Topic.publish(new PlacementMessage.Costs(self, layers, experts, nanosPerRow.clone())));
        }
        if (load != null)
        {
            final double[] work = new double[layers * experts];
            for (int l = 0; l < layers; l++)
            {
                final double nanosPerFlop = nanosPerFlop(board, l, experts, flopsPerRow);
                for (int e = 0; e < experts; e++)
                {
                    work[l * experts + e] = load.rowsPerSecond(l, e, settings.windowSeconds()) *
                        rowCost(flopsPerRow[e], nanosPerFlop);
                }
            }
            publishLoad(layers, experts, work);
        }
    }

    /**
     * Publishes this gateway's work with where it routes the copies the open bridges name, so that
     * moves advance once it does: at once when no bridge is open, else once the locator answered.
     */
    private void publishLoad(final int layers, final int experts, final double[] work)
    {
        final List<String> copies = new ArrayList<>();
        for (final PlacementMessage.Bridge b : board.state().bridges())
        {
            copies.add(b.copy());
            copies.add(b.bridge());
        }
        if (copies.isEmpty() || locator == null)
        {
            topic.tell(Topic.publish(new PlacementMessage.Load(self, layers, experts, work, new HashMap<>())));
            return;
        }
        // A locator that does not answer within a publication's interval leaves the routes out this time.
        context.ask(ExpertLocator.Routes.class, locator, settings.publishEvery(),
            replyTo -> new ExpertLocator.RoutesOf(copies, replyTo),
            (routes, failure) -> new Routed(work, routes == null ? new HashMap<>() : routes.nodes()));
    }

    /**
     * Nanoseconds per row of expert {@code expert} of layer {@code layer}: its FLOPs per row at the
     * speed the expert nodes measured for the layer, the median of its measured experts' nanoseconds
     * per FLOP (before any was measured, a nominal {@value #NOMINAL_FLOPS_PER_NS} FLOP/ns). An expert's
     * own measurement is not used alone: it moves with what else ran on its node's cores and with
     * the fixed cost of a block spread over few rows, and placement, which moves copies off the nodes
     * that look busiest, would chase that noise back and forth. The median over a layer is steady,
     * and the FLOPs keep a wider expert (a shared one) costlier in proportion.
     *
     * @param flopsPerRow [experts]: the FLOPs of a row of each expert of a layer
     */
    public static double cost(
        final PlacementBoard board, final int layer, final int expert, final int experts, final double[] flopsPerRow)
    {
        return rowCost(flopsPerRow[expert], nanosPerFlop(board, layer, experts, flopsPerRow));
    }

    /** {@code flops} at {@code nanosPerFlop}, or at the nominal speed where that is unknown (negative). */
    private static double rowCost(final double flops, final double nanosPerFlop)
    {
        return nanosPerFlop < 0 ? flops / NOMINAL_FLOPS_PER_NS : flops * nanosPerFlop;
    }

    /**
     * The layer's speed in {@link #cost}: the median of its measured experts' nanoseconds per FLOP;
     * -1 before any was measured.
     */
    private static double nanosPerFlop(
        final PlacementBoard board, final int layer, final int experts, final double[] flopsPerRow)
    {
        final double[] measured = new double[experts];
        int n = 0;
        for (int e = 0; e < experts; e++)
        {
            final double c = board.nanosPerRow(layer * experts + e);
            if (c > 0)
            {
                measured[n++] = c / flopsPerRow[e];
            }
        }
        if (n == 0)
        {
            return -1;
        }
        Arrays.sort(measured, 0, n);
        return n % 2 == 1 ? measured[n / 2] : (measured[n / 2 - 1] + measured[n / 2]) / 2;
    }

    /** Smoothed compute time per row of each expert served here since the last publication. */
    private void measureCosts(final int layers, final int experts)
    {
        for (int l = 0; l < layers; l++)
        {
            for (int e = 0; e < experts; e++)
            {
                final int i = l * experts + e;
                final long rows = endpoint.computedRows(l, e);
                final long nanos = endpoint.computeNanos(l, e);
                final long dRows = rows - rowsBefore[i];
                if (dRows > 0)
                {
                    final double now = (double)(nanos - nanosBefore[i]) / dRows;
                    nanosPerRow[i] = nanosPerRow[i] < 0 ? now : nanosPerRow[i] + SMOOTHING * (now - nanosPerRow[i]);
                }
                rowsBefore[i] = rows;
                nanosBefore[i] = nanos;
            }
        }
    }
}
