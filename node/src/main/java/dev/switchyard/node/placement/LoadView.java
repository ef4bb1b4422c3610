package dev.switchyard.node.placement;

/**
 * The work of every expert as the gateways measured it, summed over gateways: nanoseconds of
 * expert compute per second of wall time (rows per second times the expert's cost per row).
 *
 * @param work [layers * experts], expert e of layer l at l * experts + e
 */
public record LoadView(int layers, int experts, double[] work)
{
    public double work(final int layer, final int expert)
    {
        return work[layer * experts + expert];
    }

    public double layerTotal(final int layer)
    {
        double sum = 0;
        for (int e = 0; e < experts; e++)
        {
            sum += work[layer * experts + e];
        }
        return sum;
    }

    /** The expert's share of its layer's work, 0 when the layer did none. */
    public double share(final int layer, final int expert)
    {
        final double total = layerTotal(layer);
        return total <= 0 ? 0 : work(layer, expert) / total;
    }

    public double total()
    {
        double sum = 0;
        for (final double w : work)
        {
            sum += w;
        }
        return sum;
    }
}
