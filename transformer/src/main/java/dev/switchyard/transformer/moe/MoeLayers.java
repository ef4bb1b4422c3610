package dev.switchyard.transformer.moe;

/**
 * The MoE layers of a transformer, by served layer index (encoder {@code moe} layers first, then the
 * decoder's, in stack order). Implemented in process ({@link LocalMoeLayers}) and through the serving
 * system; both give the same bits for the same tokens.
 */
public interface MoeLayers extends AutoCloseable
{
    /**
     * y = MoE(x) for the tokens of one pass, split into consecutive groups of the layer's group size from
     * token 0 (docs/contracts.md §3), as a request of its own.
     *
     * @param x          [tokens, d_model]
     * @param importance [tokens], or null for all 1.0
     * @param y          [tokens, d_model], overwritten
     */
    void forward(int layer, float[] x, int tokens, float[] importance, float[] y);

    @Override
    default void close()
    {
    }
}
