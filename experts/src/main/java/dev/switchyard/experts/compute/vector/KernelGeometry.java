package dev.switchyard.experts.compute.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteOrder;

/**
 * The vector shape chosen at run time and the blocking that follows from it. {@code SPECIES_PREFERRED} is
 * the widest the CPU runs well: 16 floats with AVX-512, 8 with AVX2. A panel is NR = 4 vectors of output
 * columns; the main kernel has 6 rows where the ISA has 32 vector registers (AVX-512, AArch64) and 3
 * where it has 16 (AVX2), so that its accumulators never spill.
 */
final class KernelGeometry
{
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Vectors per panel. */
    static final int NV = 4;
    /** Output columns per packed panel. */
    static final int NR = NV * L;
    /** Same lane count as {@link #S}, 16-bit lanes: a panel row of bfloat16 weights. */
    static final VectorSpecies<Short> S_BF16 = VectorSpecies.of(short.class, VectorShape.forBitSize(L * Short.SIZE));
    static final VectorSpecies<Integer> S_INT = VectorSpecies.of(int.class, S.vectorShape());
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** 32 architectural vector registers: the 6-row kernel fits. */
    static final boolean WIDE = S.vectorBitSize() >= 512 || "aarch64".equals(System.getProperty("os.arch"));
    /** Rows of the main micro-kernel. */
    static final int MR = WIDE ? 6 : 3;

    private KernelGeometry()
    {
    }

    static String describe()
    {
        return S.vectorBitSize() + "-bit vectors (" + L + " floats), panel " + NR + " columns, " + MR + "-row kernel";
    }
}
