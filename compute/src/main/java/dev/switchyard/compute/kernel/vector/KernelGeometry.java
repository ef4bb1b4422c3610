package dev.switchyard.compute.kernel.vector;

import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shape chosen at run time and the blocking that follows from it. {@code SPECIES_PREFERRED} is
 * the widest the CPU runs well: 16 floats with AVX-512, 8 with AVX2. The main kernel has 6 rows; a panel
 * is NV = 4 vectors of output columns where the ISA has 32 vector registers (AVX-512, AArch64) and 2 where
 * it has 16 (AVX2), so that the 6·NV accumulators never spill.
 */
final class KernelGeometry
{
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** 32 architectural vector registers. */
    static final boolean WIDE = S.vectorBitSize() >= 512 || "aarch64".equals(System.getProperty("os.arch"));
    /** Vectors per panel. */
    static final int NV = WIDE ? 4 : 2;
    /** Output columns per packed panel. */
    static final int NR = NV * L;
    /** Same lane count as {@link #S}, 16-bit lanes: a panel row of bfloat16 weights. */
    static final VectorSpecies<Short> S_BF16 = VectorSpecies.of(short.class, VectorShape.forBitSize(L * Short.SIZE));
    /**
     * Byte lanes to read a panel row of e4m3 weights: L of them where a vector that short exists (64 bits at
     * least), else the first L of 8.
     */
    static final VectorSpecies<Byte> S_FP8 =
        VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * Byte.SIZE)));
    static final VectorSpecies<Integer> S_INT = VectorSpecies.of(int.class, S.vectorShape());
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Rows of the main micro-kernel. */
    static final int MR = 6;

    private KernelGeometry()
    {
    }

    static String describe()
    {
        return S.vectorBitSize() + "-bit vectors (" + L + " floats), panel " + NR + " columns, " + MR + "-row kernel";
    }
}
