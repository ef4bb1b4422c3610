package dev.switchyard.transformer.attention;

/**
 * What an attention layer attends to: its keys and values, and per memory position the id (for the
 * padding bias) and segment (for the same-segment bias; null when the pass has no segments).
 *
 * @param store    keys and values [slots, H, cap, K]
 * @param ids      [slots, cap], or null when no bias reads them
 * @param segments [slots, cap], or null
 * @param length   memory positions that exist per slot (the source length for an encoder memory)
 */
public record Memory(KvStore store, int[] ids, int[] segments, int length)
{
}
