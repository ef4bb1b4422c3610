package dev.switchyard.node.system;

import dev.switchyard.model.directory.ModelDirectory;

/** The in-process oracle for tests in other packages. */
public final class LocalReferenceAccess
{
    private LocalReferenceAccess()
    {
    }

    public static float[] output(final ModelDirectory model, final float[] x, final int rows)
    {
        return LocalReference.run(model, 0, x, rows, null).y();
    }

    /** The layer's output and routing report, [rows, d] and [rows, 2] (capacity [groups]). */
    public record Routed(float[] y, int[] expert, int[] position, float[] gate, int[] capacity)
    {
    }

    public static Routed run(final ModelDirectory model, final int layer, final float[] x, final int rows)
    {
        final LocalReference.Result r = LocalReference.run(model, layer, x, rows, null);
        return new Routed(r.y(), r.expert(), r.position(), r.gate(), r.capacity());
    }
}
