package dev.switchyard.compute.kernel;

import dev.switchyard.compute.kernel.scalar.ScalarBackend;
import dev.switchyard.compute.kernel.vector.VectorBackend;
import dev.switchyard.wire.BadInputException;

/** The compute backends by name: {@code vector} (the default) and {@code scalar} (the reference). */
public final class ComputeBackends
{
    public static final String VECTOR = "vector";
    public static final String SCALAR = "scalar";

    private static final ScalarBackend SCALAR_BACKEND = new ScalarBackend();

    private ComputeBackends()
    {
    }

    /** The Vector API backend; large calls are split over the pool's threads. */
    public static ComputeBackend vector(final ComputePool pool)
    {
        return new VectorBackend(pool);
    }

    /** The plain reference, always on the caller's thread. */
    public static ComputeBackend scalar()
    {
        return SCALAR_BACKEND;
    }

    /** {@code vector} on the {@linkplain ComputePool#shared() shared pool}, or {@code scalar}. */
    public static ComputeBackend byName(final String name)
    {
        return SCALAR.equals(name) ? scalar() : byName(name, ComputePool.shared());
    }

    /** {@code vector} on the given pool, or {@code scalar} (which ignores it). */
    public static ComputeBackend byName(final String name, final ComputePool pool)
    {
        if (name == null)
        {
            throw new BadInputException("compute backend must be vector or scalar (got none)");
        }
        return switch (name)
        {
            case VECTOR -> vector(pool);
            case SCALAR -> scalar();
            default -> throw new BadInputException("compute backend must be vector or scalar (got '" + name + "')");
        };
    }
}
