package dev.switchyard.experts.actor;

import dev.switchyard.experts.endpoint.BlockCompute;

/** An expert ready to compute, holding whatever it loaded until closed. */
public interface LoadedExpert extends BlockCompute, AutoCloseable
{
    @Override
    void close();
}
