package dev.switchyard.compute.kernel;

/**
 * Weights of one linear product, packed once at load into the layout of the backend that packed them,
 * and usable only with that backend. Immutable: any number of threads may compute with it at once.
 */
public interface PackedLinear
{
    /** Input width k: the columns of x. */
    int inFeatures();

    /** Output width n: the columns of y (for gated weights, the width of the gated product). */
    int outFeatures();

    WeightFormat format();

    /** Packed by {@link ComputeBackend#packGated}: a gate and an up product computed together. */
    boolean gated();

    boolean hasBias();

    /** Bytes the packed weights occupy (padding included). */
    long packedBytes();
}
