package dev.switchyard.compute.kernel;

import dev.switchyard.compute.kernel.onednn.OneDnnBackend;
import dev.switchyard.compute.kernel.onednn.OneDnnLibrary;
import dev.switchyard.compute.kernel.scalar.ScalarBackend;
import dev.switchyard.compute.kernel.vector.VectorBackend;
import dev.switchyard.wire.BadInputException;

/**
 * The compute backends by name: {@code vector} (the default, portable), {@code scalar} (the reference),
 * {@code native} (oneDNN, on the CPU's matrix units) and {@code auto} (where oneDNN loads and the CPU has
 * bfloat16 units, bf16 weights on {@code native} and the rest on {@code vector}: {@link AutoBackend}; else
 * {@code vector}).
 */
public final class ComputeBackends
{
    public static final String VECTOR = "vector";
    public static final String SCALAR = "scalar";
    public static final String NATIVE = OneDnnBackend.NAME;
    public static final String AUTO = "auto";
    public static final String NAMES = "vector, scalar, native or auto";

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

    /**
     * The oneDNN backend; large calls split their rows over the pool's threads.
     *
     * @throws BadInputException saying why, where oneDNN cannot load here
     */
    public static ComputeBackend nativeBackend(final ComputePool pool)
    {
        final OneDnnLibrary library = OneDnnLibrary.get();
        if (!library.available())
        {
            throw new BadInputException("the native backend is unavailable: " + library.reason());
        }
        return new OneDnnBackend(pool);
    }

    /** Whether {@code auto} puts bf16 weights on the native backend on this machine. */
    public static boolean nativePreferred()
    {
        final OneDnnLibrary library = OneDnnLibrary.get();
        return library.available() && library.hasBf16Units();
    }

    /** {@code vector} on the {@linkplain ComputePool#shared() shared pool}, or {@code scalar}. */
    public static ComputeBackend byName(final String name)
    {
        return SCALAR.equals(name) ? scalar() : byName(name, ComputePool.shared());
    }

    /** A backend by name on the given pool ({@code scalar} ignores it). */
    public static ComputeBackend byName(final String name, final ComputePool pool)
    {
        return switch (requireName("compute backend", name))
        {
            case SCALAR -> scalar();
            case NATIVE -> nativeBackend(pool);
            case AUTO -> nativePreferred() ? new AutoBackend(new OneDnnBackend(pool), vector(pool)) : vector(pool);
            default -> vector(pool);
        };
    }

    /**
     * The name, where it names a backend; checked before anything loads.
     *
     * @param what what the name was given as, for the error: a flag or a configuration key
     * @throws BadInputException naming {@code what} and the names it takes
     */
    public static String requireName(final String what, final String name)
    {
        if (name == null)
        {
            throw new BadInputException(what + " must be " + NAMES + " (got none)");
        }
        return switch (name)
        {
            case VECTOR, SCALAR, NATIVE, AUTO -> name;
            default -> throw new BadInputException(what + " must be " + NAMES + " (got '" + name + "')");
        };
    }
}
