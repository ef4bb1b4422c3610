package dev.switchyard.router.config;

/**
 * {@code config.json} of a model directory.
 *
 * @param dModel      width of a token vector
 * @param dFf         hidden width of every expert
 * @param numExperts  experts per MoE layer, E
 * @param activation  expert activation
 * @param expertBias  whether experts have {@code wi.bias} and {@code wo.bias}
 * @param routing     gating parameters
 */
public record ModelConfig(
    int dModel,
    int dFf,
    int numExperts,
    Activation activation,
    boolean expertBias,
    RoutingConfig routing)
{
}
