package dev.switchyard.transformer.attention;

/**
 * Which memory positions a query sees: the seed's biases (docs/contracts.md §8 item 4) as a rule. A bias of −1e9
 * makes a position's softmax weight exactly 0 in float32 whenever the query sees any position, so hidden
 * positions are skipped; a query that sees none gets uniform weights over the whole memory.
 */
public enum Visibility
{
    /** Autoregressive: memory position ≤ query position. */
    CAUSAL,
    /** Local block of window W: block b−1 whole, block b up to the query. */
    LOCAL_BLOCK,
    /** Ignore padding: memory id ≠ 0 (encoder self-attention, enc_att). */
    NON_PADDING;

    /** First memory position that may be visible. */
    public int first(final int queryPos, final int window)
    {
        return this == LOCAL_BLOCK ? Math.max(0, (queryPos / window - 1) * window) : 0;
    }

    /** One past the last memory position that may be visible, for a memory of {@code length}. */
    public int end(final int queryPos, final int length)
    {
        return this == NON_PADDING ? length : Math.min(queryPos + 1, length);
    }
}
