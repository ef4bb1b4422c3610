package dev.switchyard.model.config;

/**
 * {@code config.json} of a model directory.
 *
 * @param dModel      width of a token vector
 * @param dFf         hidden width of every expert
 * @param numExperts  experts per MoE layer, E
 * @param activation  expert activation
 * @param expertBias  whether experts have {@code wi.bias} and {@code wo.bias}
 * @param routing     gating parameters
 * @param transformer the model around the MoE layers, or null for MoE layers alone
 */
public record ModelConfig(
    int dModel,
    int dFf,
    int numExperts,
    Activation activation,
    boolean expertBias,
    RoutingConfig routing,
    TransformerConfig transformer)
{
    /** MoE layers alone, without a transformer. */
    public ModelConfig(
        final int dModel,
        final int dFf,
        final int numExperts,
        final Activation activation,
        final boolean expertBias,
        final RoutingConfig routing)
    {
        this(dModel, dFf, numExperts, activation, expertBias, routing, null);
    }

    public ModelConfig withTransformer(final TransformerConfig t)
    {
        return new ModelConfig(dModel, dFf, numExperts, activation, expertBias, routing, t);
    }
}
