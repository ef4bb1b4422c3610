package dev.switchyard.model.checkpoint;

/**
 * The shared experts of a served layer, stored as one SwiGLU MLP of width {@code intermediateSize}
 * under {@code prefix} (DeepSeek: {@code count} experts fused, width count·moe_intermediate_size).
 *
 * @param gateWeight Qwen2-MoE's {@code shared_expert_gate.weight} [1, d] (output scaled by its
 *                   sigmoid), or null where the family has no such gate
 */
public record SharedExperts(int count, int intermediateSize, String prefix, String gateWeight)
{
    /** No shared experts. */
    public static final SharedExperts NONE = new SharedExperts(0, 0, null, null);

    public boolean present()
    {
        return count > 0;
    }
}
