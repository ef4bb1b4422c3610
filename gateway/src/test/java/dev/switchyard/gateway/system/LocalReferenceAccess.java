package dev.switchyard.gateway.system;

import dev.switchyard.router.model.ModelDirectory;

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
}
