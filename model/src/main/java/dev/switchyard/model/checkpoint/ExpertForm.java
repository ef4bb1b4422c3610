package dev.switchyard.model.checkpoint;

/** What one expert computes, and so which tensors it has (all [out, in], as stored). */
public enum ExpertForm
{
    /** down·(silu(gate·x) ⊙ up·x): gate [F, d], up [F, d], down [d, F]. */
    SWIGLU,
    /** Switch: wo·relu(wi·x), no biases: wi [F, d], wo [d, F]. */
    RELU,
    /** NLLB: fc2·relu(fc1·x + b₁) + b₂: fc1 [F, d] + [F], fc2 [d, F] + [d]. */
    RELU_BIAS
}
