package dev.switchyard.gateway.cluster;

import java.time.Duration;

import dev.switchyard.experts.actor.ExpertActor;
import dev.switchyard.experts.actor.ExpertId;
import dev.switchyard.gateway.dispatch.GatewayCore;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The gateway's control plane: learns from sharding where every expert lives (by asking each
 * entity, which sharding delivers wherever it is) and tells the data plane. It asks all experts
 * periodically, so a moved expert is relearned even without traffic, and at once for one expert
 * when the data plane finds it gone (DRAINING, unavailable, disconnected).
 */
public final class ExpertLocator
{
    public sealed interface Command permits Relocate, RelocateAll, Found, NotFound
    {
    }

    /** The data plane lost an expert. */
    public record Relocate(int layer, int expert) implements Command
    {
    }

    record RelocateAll() implements Command
    {
    }

    record Found(ExpertActor.Located located) implements Command
    {
    }

    record NotFound(int layer, int expert, String why) implements Command
    {
    }

    private final ActorContext<Command> context;
    private final ClusterSharding sharding;
    private final GatewayCore core;
    private final int layers;
    private final int experts;
    private final Duration askTimeout;

    private ExpertLocator(
        final ActorContext<Command> context, final GatewayCore core, final int layers, final int experts,
        final Duration askTimeout)
    {
        this.context = context;
        this.sharding = ClusterSharding.get(context.getSystem());
        this.core = core;
        this.layers = layers;
        this.experts = experts;
        this.askTimeout = askTimeout;
    }

    public static Behavior<Command> create(
        final GatewayCore core, final int layers, final int experts, final Duration refresh, final Duration askTimeout)
    {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        {
            timers.startTimerWithFixedDelay(new RelocateAll(), refresh);
            ctx.getSelf().tell(new RelocateAll());
            return new ExpertLocator(ctx, core, layers, experts, askTimeout).behavior();
        }));
    }

    private Behavior<Command> behavior()
    {
        return Behaviors.receive(Command.class)
            .onMessage(RelocateAll.class, m ->
            {
                for (int l = 0; l < layers; l++)
                {
                    for (int e = 0; e < experts; e++)
                    {
                        ask(l, e);
                    }
                }
                return Behaviors.same();
            })
            .onMessage(Relocate.class, m ->
            {
                ask(m.layer(), m.expert());
                return Behaviors.same();
            })
            .onMessage(Found.class, m ->
            {
                final ExpertActor.Located at = m.located();
                core.updateRoute(at.layer(), at.expert(), at.address(), at.epoch());
                return Behaviors.same();
            })
            .onMessage(NotFound.class, m ->
            {
                context.getLog().debug("expert {}/{} not located yet: {}", m.layer(), m.expert(), m.why());
                return Behaviors.same();
            })
            .build();
    }

    private void ask(final int layer, final int expert)
    {
        context.ask(
            ExpertActor.Located.class,
            sharding.entityRefFor(ExpertActor.TYPE_KEY, new ExpertId(layer, expert).entityId()),
            askTimeout,
            ExpertActor.Locate::new,
            (located, failure) -> located != null ? new Found(located) :
                new NotFound(layer, expert, String.valueOf(failure)));
    }
}
