package dev.switchyard.routing.gating;

/**
 * The learned gating function a router applies to tokens: gates = softmax(x · Wᵣᵀ).
 * <p>
 * Gating takes gates, not weights, so the kernel that computes them (in the compute module, with the
 * Vector API) can change without touching the routing rules that consume them.
 */
public interface GateFunction
{
    /** E. */
    int experts();

    /** d_model. */
    int dModel();

    /** x [tokens, d] from xOffset → gates [tokens, E] from 0, each row summing to one. */
    void gates(float[] x, int xOffset, int tokens, float[] gates);
}
