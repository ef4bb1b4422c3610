package dev.switchyard.experts.actor;

/**
 * One hosted copy of expert {@code expert} of layer {@code layer}: replica {@code replica} of at most
 * {@link #MAX_REPLICAS}. Its entity id is "layer-expert" for replica 0 (as before replicas existed)
 * and "layer-expert-replica" for the others; each is its own shard, so that placement can keep the
 * replicas of one expert on distinct nodes.
 */
public record ExpertId(int layer, int expert, int replica)
{
    /** The most copies of one expert the system hosts. */
    public static final int MAX_REPLICAS = 4;

    public ExpertId
    {
        if (replica < 0 || replica >= MAX_REPLICAS)
        {
            throw new IllegalArgumentException("replica must be 0 to " + (MAX_REPLICAS - 1) + ", got " + replica);
        }
    }

    public ExpertId(final int layer, final int expert)
    {
        this(layer, expert, 0);
    }

    public static ExpertId parse(final String entityId)
    {
        final String[] parts = entityId.split("-");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty())
        {
            throw new IllegalArgumentException("expert entity id must be layer-expert[-replica], got '" +
                entityId + "'");
        }
        return new ExpertId(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
            parts.length == 3 ? Integer.parseInt(parts[2]) : 0);
    }

    public String entityId()
    {
        return replica == 0 ? layer + "-" + expert : layer + "-" + expert + "-" + replica;
    }

    /** The expert this is a copy of, the same for all its replicas. */
    public String expertKey()
    {
        return layer + "-" + expert;
    }
}
