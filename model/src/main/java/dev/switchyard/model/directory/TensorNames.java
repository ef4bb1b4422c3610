package dev.switchyard.model.directory;

/**
 * Tensor names of a model file, torch style. A model with several MoE layers prefixes every name with
 * {@code layers.{L}.}; names without the prefix are layer 0 of a one-layer model.
 */
public final class TensorNames
{
    public static final String LAYER_PREFIX = "layers.";
    /** Marks the tensors of a transformer's MoE layers: {@code {S}.layers.{L}.moe.}. */
    public static final String MOE_INFIX = ".moe.";

    private TensorNames()
    {
    }

    /** {@code "layers.{layer}."} when the file uses prefixes, else {@code ""}. */
    public static String prefix(final int layer, final boolean prefixed)
    {
        return prefixed ? LAYER_PREFIX + layer + "." : "";
    }

    /** [E, d_model] */
    public static String router(final String prefix)
    {
        return prefix + "router.weight";
    }

    /** [d_ff, d_model] */
    public static String wi(final String prefix, final int expert)
    {
        return expert(prefix, expert) + "wi.weight";
    }

    /** [d_ff] */
    public static String wiBias(final String prefix, final int expert)
    {
        return expert(prefix, expert) + "wi.bias";
    }

    /** [d_model, d_ff] */
    public static String wo(final String prefix, final int expert)
    {
        return expert(prefix, expert) + "wo.weight";
    }

    /** [d_model] */
    public static String woBias(final String prefix, final int expert)
    {
        return expert(prefix, expert) + "wo.bias";
    }

    /** [d_ff, d_model], the gate product of gated activations. */
    public static String wg(final String prefix, final int expert)
    {
        return expert(prefix, expert) + "wg.weight";
    }

    private static String expert(final String prefix, final int expert)
    {
        return prefix + "experts." + expert + ".";
    }

    /** [V, d] */
    public static final String EMBEDDING_TARGETS = "embedding.targets";
    /** [V_in, d] */
    public static final String EMBEDDING_INPUTS = "embedding.inputs";
    /** [max_length, d] */
    public static final String EMBEDDING_POSITIONS = "embedding.positions";
    /** [V, d] */
    public static final String SOFTMAX = "softmax.weight";

    /** [layers + 1, d] of stack {@code encoder} or {@code decoder}. */
    public static String normScale(final String stack)
    {
        return stack + ".norm.scale";
    }

    /** {@code {stack}.layers.{layer}.{kind}.}, kind being att, enc_att, local_att, drd or moe. */
    public static String layer(final String stack, final int layer, final String kind)
    {
        return stack + "." + LAYER_PREFIX + layer + "." + kind + ".";
    }
}
