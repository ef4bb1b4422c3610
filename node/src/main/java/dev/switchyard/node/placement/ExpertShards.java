package dev.switchyard.node.placement;

import dev.switchyard.experts.actor.ExpertActor;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * One shard per hosted expert copy (shard id = entity id), so that {@link ReplicaAllocation} sees
 * which replicas a node holds and never puts two copies of one expert on the same node.
 */
public final class ExpertShards
    extends ShardingMessageExtractor<ShardingEnvelope<ExpertActor.Command>, ExpertActor.Command>
{
    @Override
    public String entityId(final ShardingEnvelope<ExpertActor.Command> envelope)
    {
        return envelope.entityId();
    }

    @Override
    public String shardId(final String entityId)
    {
        return entityId;
    }

    @Override
    public ExpertActor.Command unwrapMessage(final ShardingEnvelope<ExpertActor.Command> envelope)
    {
        return envelope.message();
    }
}
