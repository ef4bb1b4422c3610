package dev.switchyard.compute.network;

/** What an expert endpoint runs for a block: y[rows, d] = expert(x[rows, d]), row by row. */
@FunctionalInterface
public interface BlockCompute
{
    void forward(float[] x, int xOffset, int rows, float[] y, int yOffset);
}
