package dev.switchyard.transformer.decode;

/**
 * @param ids    [rows, width] decoded ids, 0 after a row's first EOS
 * @param scores [rows] log-probability (greedy, sampling) or beam score
 */
public record DecodeResult(int rows, int width, int[] ids, float[] scores)
{
}
