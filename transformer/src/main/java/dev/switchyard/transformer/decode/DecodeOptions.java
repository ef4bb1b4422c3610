package dev.switchyard.transformer.decode;

/**
 * How to decode.
 *
 * @param maxLength   positions to decode at most (≤ the model's max_length; 0 for the model's)
 * @param temperature 0 for greedy, else sampling temperature T
 * @param seed        seed of the sampling uniforms
 * @param beamSize    1 for greedy/sampling, else beam search
 * @param alpha       beam search length penalty α
 */
public record DecodeOptions(int maxLength, double temperature, long seed, int beamSize, double alpha)
{
    public static DecodeOptions greedy()
    {
        return new DecodeOptions(0, 0, 0, 1, 0.6);
    }

    public DecodeOptions withMaxLength(final int length)
    {
        return new DecodeOptions(length, temperature, seed, beamSize, alpha);
    }

    public DecodeOptions withTemperature(final double t, final long s)
    {
        return new DecodeOptions(maxLength, t, s, beamSize, alpha);
    }

    public DecodeOptions withBeam(final int size, final double a)
    {
        return new DecodeOptions(maxLength, temperature, seed, size, a);
    }
}
