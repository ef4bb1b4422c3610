package dev.switchyard.experts.actor;

/** The entity id of expert {@code expert} of layer {@code layer}: "layer-expert". */
public record ExpertId(int layer, int expert)
{
    public static ExpertId parse(final String entityId)
    {
        final int dash = entityId.indexOf('-');
        if (dash < 1)
        {
            throw new IllegalArgumentException("expert entity id must be layer-expert, got '" + entityId + "'");
        }
        return new ExpertId(Integer.parseInt(entityId.substring(0, dash)), Integer.parseInt(entityId.substring(dash + 1)));
    }

    public String entityId()
    {
        return layer + "-" + expert;
    }
}
