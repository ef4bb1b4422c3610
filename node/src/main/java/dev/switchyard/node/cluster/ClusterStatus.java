package dev.switchyard.node.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntToDoubleFunction;
import java.util.function.Supplier;

import dev.switchyard.experts.actor.CborSerializable;
import dev.switchyard.experts.actor.ExpertActor;
import dev.switchyard.experts.actor.ExpertId;
import dev.switchyard.node.placement.ExpertCopies;
import dev.switchyard.node.placement.ExpertLoad;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Answers {@code switchyard cluster status}: runs on every node as {@code /system/cluster-status},
 * so the command can ask any of them. The report holds the members as this node sees them, where
 * sharding serves every expert (each is asked, as a gateway would) and, on a gateway node, the rows
 * each expert was sent over the last minute and the work they make (rows times cost per row); and
 * the copies placement is moving or starting.
 */
public final class ClusterStatus
{
    public static final String NAME = "cluster-status";
    private static final Duration LOCATE_TIMEOUT = Duration.ofSeconds(2);

    public sealed interface Command permits Get, Sample
    {
    }

    /** Asks for the report. */
    public record Get(ActorRef<StatusReport> replyTo) implements Command, CborSerializable
    {
    }

    record Sample() implements Command
    {
    }

    private ClusterStatus()
    {
    }

    /**
     * @param copies      the copies of every expert hosted now
     * @param load        the gateway's per-expert rows on this node, or null on a node without the gateway
     * @param nanosPerRow the cost of a row of expert {@code layer * experts + expert}, in ns
     * @param moving      the expert copies placement is moving or starting now (entity ids)
     * @param silent      the expert endpoints this node's gateway gets no answer from (empty without one)
     */
    public static Behavior<Command> create(
        final int layers, final int experts, final ExpertCopies copies, final ExpertLoad load,
        final IntToDoubleFunction nanosPerRow, final Supplier<List<String>> moving,
        final Supplier<List<String>> silent)
    {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        {
            if (load != null)
            {
                load.sample();
                timers.startTimerWithFixedDelay(new Sample(), Duration.ofSeconds(ExpertLoad.SAMPLE_EVERY_S));
            }
            final ActorSystem<?> system = ctx.getSystem();
            return Behaviors.receive(Command.class)
                .onMessage(Sample.class, m ->
                {
                    load.sample();
                    return Behaviors.same();
                })
                .onMessage(Get.class, m ->
                {
                    // Located in the background; the report is built on this actor's thread first.
                    final List<ExpertRow> rows = new ArrayList<>();
                    for (int l = 0; l < layers; l++)
                    {
                        for (int e = 0; e < experts; e++)
                        {
                            final List<CompletableFuture<ExpertActor.Located>> located = new ArrayList<>();
                            for (int r = 0; r < copies.of(l, e); r++)
                            {
                                located.add(locate(system, new ExpertId(l, e, r)));
                            }
                            final double perSec = load == null ? 0 : load.rowsPerSecond(l, e);
                            rows.add(new ExpertRow(l, e, perSec,
                                perSec * nanosPerRow.applyAsDouble(l * experts + e) / 1e6,
                                located));
                        }
                    }
                    final Cluster cluster = Cluster.get(system);
                    final ClusterEvent.CurrentClusterState state = cluster.state();
                    final List<StatusReport.Member> members = new ArrayList<>();
                    state.getMembers().forEach(member -> members.add(new StatusReport.Member(
                        member.address().toString(), member.status().toString(), new ArrayList<>(member.getRoles()))));
                    final List<String> unreachable = new ArrayList<>();
                    state.getUnreachable().forEach(member -> unreachable.add(member.address().toString()));
                    final String self = cluster.selfMember().address().toString();
                    final int window = load == null ? 0 : ExpertLoad.WINDOW_S;
                    CompletableFuture.allOf(rows.stream().flatMap(r -> r.located.stream())
                            .toArray(CompletableFuture[]::new))
                        .whenComplete((ok, failure) ->
                        {
                            final List<StatusReport.Expert> list = new ArrayList<>();
                            for (final ExpertRow r : rows)
                            {
                                final ExpertActor.Located at = r.located.get(0).getNow(null);
                                final List<StatusReport.Copy> more = new ArrayList<>();
                                for (int c = 1; c < r.located.size(); c++)
                                {
                                    final ExpertActor.Located copy = r.located.get(c).getNow(null);
                                    more.add(new StatusReport.Copy(c, copy == null ? null : copy.node(),
                                        copy == null ? 0 : copy.epoch()));
                                }
                                list.add(new StatusReport.Expert(r.layer, r.expert, at == null ? null : at.node(),
                                    at == null ? 0 : at.epoch(), r.rowsPerSec, r.workMsPerSec, more));
                            }
                            m.replyTo().tell(new StatusReport(self, members, unreachable, list, window,
                                List.copyOf(moving.get()), List.copyOf(silent.get())));
                        });
                    return Behaviors.same();
                })
                .build();
        }));
    }

    private record ExpertRow(
        int layer, int expert, double rowsPerSec, double workMsPerSec,
        List<CompletableFuture<ExpertActor.Located>> located)
    {
    }

    /** Where sharding serves the expert now, or null if it does not answer in time (it is moving). */
    private static CompletableFuture<ExpertActor.Located> locate(final ActorSystem<?> system, final ExpertId id)
    {
        final CompletionStage<ExpertActor.Located> asked = AskPattern.ask(
            ClusterSharding.get(system).entityRefFor(ExpertActor.TYPE_KEY, id.entityId()),
            ExpertActor.Locate::new, LOCATE_TIMEOUT, system.scheduler());
        return asked.toCompletableFuture().exceptionally(failure -> null);
    }
}
