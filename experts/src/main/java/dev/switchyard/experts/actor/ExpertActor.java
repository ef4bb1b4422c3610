package dev.switchyard.experts.actor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import dev.switchyard.experts.endpoint.EndpointAddress;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One expert of one layer, a sharded entity. On start it loads (maps) its weights and registers
 * with its node's expert endpoint; from then on it answers {@link Locate} with that endpoint, so
 * gateways learn from sharding where the expert lives. On hand-off it drains: the endpoint stops
 * taking its blocks (answering DRAINING, which sends gateways to ask sharding again) and finishes the
 * one in progress; only then does the actor stop and its weights close.
 */
public final class ExpertActor
{
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "expert");

    public sealed interface Command permits Locate, KeepAlive, HandOff, Retire, Loaded, LoadFailed, Drained
    {
    }

    /** Where do you serve? Answered with {@link Located} once the expert is ready. */
    public record Locate(ActorRef<Located> replyTo) implements Command, CborSerializable
    {
    }

    /** Sent to every expert periodically so that each is started and stays alive. */
    public record KeepAlive() implements Command, CborSerializable
    {
    }

    /** The stop message of sharding: drain, then stop. */
    public record HandOff() implements Command, CborSerializable
    {
    }

    /**
     * Placement removed this copy (an extra copy of an expert no longer hot): gateways no longer
     * route to it; it drains what is still in flight and stops, like a hand-off.
     */
    public record Retire() implements Command, CborSerializable
    {
    }

    record Loaded(LocalCopies.Hosted hosted) implements Command
    {
    }

    record LoadFailed(Throwable cause) implements Command
    {
    }

    record Drained() implements Command
    {
    }

    /**
     * Where an expert serves now.
     *
     * @param replica which copy of the expert this is (0 when it has one)
     * @param epoch differs between incarnations, so that a gateway tells a new location from an old one
     * @param node  the cluster address of the node that hosts it, so that a gateway knows which
     *              experts a node took with it when it vanished
     */
    public record Located(int layer, int expert, int replica, String driverId, String udpChannel, int streamId,
        int epoch, String node)
        implements CborSerializable
    {
        public EndpointAddress address()
        {
            return new EndpointAddress(driverId, udpChannel, streamId);
        }
    }

    private final ActorContext<Command> context;
    private final ExpertHost host;
    private final ExpertId id;
    private final int epoch = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);

    private ExpertActor(final ActorContext<Command> context, final ExpertHost host, final ExpertId id)
    {
        this.context = context;
        this.host = host;
        this.id = id;
    }

    public static Behavior<Command> create(final String entityId, final ExpertHost host)
    {
        if (host == null)
        {
            throw new IllegalStateException("expert " + entityId + " placed on a node without the experts role");
        }
        return Behaviors.setup(ctx -> Behaviors.withStash(1024, stash ->
        {
            final ExpertActor actor = new ExpertActor(ctx, host, ExpertId.parse(entityId));
            final CompletableFuture<LocalCopies.Hosted> load = host.copies().acquire(actor.id, actor.epoch, () ->
                CompletableFuture.supplyAsync(
                    () -> host.loader().load(actor.id.layer(), actor.id.expert()), host.loadExecutor())
                .thenCompose(expert -> host.endpoint()
                    .register(actor.id.layer(), actor.id.expert(), actor.epoch, expert)
                    .thenApply(ignored -> expert)));
            ctx.pipeToSelf(load, (hosted, failure) ->
                failure == null ? new Loaded(hosted) : new LoadFailed(failure));
            return actor.loading(stash);
        }));
    }

    private Behavior<Command> loading(final StashBuffer<Command> stash)
    {
        return Behaviors.receive(Command.class)
            .onMessage(Loaded.class, m -> stash.unstashAll(serving(m.hosted())))
            .onMessage(LoadFailed.class, m ->
            {
                context.getLog().error("expert {} could not load: {}", id.entityId(), m.cause().toString());
                host.copies().release(id);
                return Behaviors.stopped();
            })
            .onMessage(HandOff.class, m ->
            {
                // Stopped before it served: whatever still loads is closed when it arrives.
                return Behaviors.receive(Command.class)
                    .onMessage(Loaded.class, l ->
                    {
                        if (host.copies().release(id))
                        {
                            host.endpoint().drain(id.layer(), id.expert()).join();
                            l.hosted().expert().close();
                        }
                        return Behaviors.stopped();
                    })
                    .onMessage(LoadFailed.class, l ->
                    {
                        host.copies().release(id);
                        return Behaviors.stopped();
                    })
                    .build();
            })
            .onAnyMessage(m ->
            {
                stash.stash(m);
                return Behaviors.same();
            })
            .build();
    }

    private Behavior<Command> serving(final LocalCopies.Hosted hosted)
    {
        final LoadedExpert expert = hosted.expert();
        final EndpointAddress address = host.endpoint().address();
        final Located located =
            new Located(id.layer(), id.expert(), id.replica(), address.driverId(), address.udpChannel(),
            address.streamId(), hosted.epoch(), Cluster.get(context.getSystem()).selfMember().address().toString());
        host.firstServed(id.entityId());
        return Behaviors.receive(Command.class)
            .onMessage(Locate.class, m ->
            {
                m.replyTo().tell(located);
                return Behaviors.same();
            })
            .onMessage(KeepAlive.class, m -> Behaviors.same())
            .onMessage(HandOff.class, m -> handOff(expert))
            .onMessage(Retire.class, m ->
            {
                context.getLog().debug("expert {} retired by placement", id.entityId());
                return handOff(expert);
            })
            .build();
    }

    private Behavior<Command> handOff(final LoadedExpert expert)
    {
        if (!host.copies().release(id))
        {
            // Another copy of this expert on this node keeps serving it.
            return Behaviors.stopped();
        }
        context.pipeToSelf(host.endpoint().drain(id.layer(), id.expert()), (ok, failure) -> new Drained());
        return draining(expert);
    }

    private Behavior<Command> draining(final LoadedExpert expert)
    {
        return Behaviors.receive(Command.class)
            .onMessage(Drained.class, m ->
            {
                expert.close();
                context.getLog().debug("expert {} drained and stopped", id.entityId());
                return Behaviors.stopped();
            })
            // A gateway asking now learns nothing from here; it asks again and reaches the next home.
            .onAnyMessage(m -> Behaviors.same())
            .build();
    }
}
