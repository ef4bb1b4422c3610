package dev.switchyard.experts.compute.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static dev.switchyard.experts.compute.vector.KernelGeometry.L;
import static dev.switchyard.experts.compute.vector.KernelGeometry.NATIVE;
import static dev.switchyard.experts.compute.vector.KernelGeometry.NR;
import static dev.switchyard.experts.compute.vector.KernelGeometry.S;
import static dev.switchyard.experts.compute.vector.KernelGeometry.S_BF16;
import static dev.switchyard.experts.compute.vector.KernelGeometry.S_INT;

/**
 * Register-blocked micro-kernels: R rows of x times one packed panel of NR = NV·L output columns, over
 * kc steps of k. Each keeps R×NV accumulators in vector registers; a step loads the panel's NV vectors
 * once and broadcasts one x value per row: NV + R loads for NV·R fused multiply-adds. Only the family
 * of {@link KernelGeometry#NV} runs on a machine (a constant: the JIT drops the other).
 * <p>
 * Per output element the arithmetic is acc = fma(x[r][kk], w[kk][j], acc) for kk in order, starting
 * from 0 or from the partial sum in {@code c}: the same whatever R, so a row's value never depends on
 * which kernel or block computed it.
 * <pre>
 * a: x rows, a[aOff + r·lda + kk]                       // [R, kc] of [rows, k]
 * b: packed panel slice, float at bOff + (kk·NR + j)·4  // [kc, NR], native order
 * c: partial sums, c[cOff + r·NR + j]                   // [R, NR]
 * </pre>
 * The 6×4 kernel needs 24 + 4 + 1 vector registers: it is for ISAs with 32 (AVX-512, AArch64). The
 * 6×2 kernel needs 12 + 2 + 1 and fits the 16 of AVX2 (the classic 6×16 AVX2 SGEMM shape).
 * The Bf16 kernels read a bfloat16 panel (2 bytes a weight, same layout) and widen each vector as
 * they load it, exactly: half the weight bytes to move, for two integer operations per vector that
 * run beside the FMAs.
 */
final class MicroKernels
{
    private MicroKernels()
    {
    }


    /** 6 rows × one panel of 4 vectors. */
    static void rows6x4(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
            c03 = FloatVector.fromArray(S, c, cOff + 3 * L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c12 = FloatVector.fromArray(S, c, cOff + NR + 2 * L);
            c13 = FloatVector.fromArray(S, c, cOff + NR + 3 * L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * NR);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * NR + L);
            c22 = FloatVector.fromArray(S, c, cOff + 2 * NR + 2 * L);
            c23 = FloatVector.fromArray(S, c, cOff + 2 * NR + 3 * L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * NR);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * NR + L);
            c32 = FloatVector.fromArray(S, c, cOff + 3 * NR + 2 * L);
            c33 = FloatVector.fromArray(S, c, cOff + 3 * NR + 3 * L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * NR);
            c41 = FloatVector.fromArray(S, c, cOff + 4 * NR + L);
            c42 = FloatVector.fromArray(S, c, cOff + 4 * NR + 2 * L);
            c43 = FloatVector.fromArray(S, c, cOff + 4 * NR + 3 * L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * NR);
            c51 = FloatVector.fromArray(S, c, cOff + 5 * NR + L);
            c52 = FloatVector.fromArray(S, c, cOff + 5 * NR + 2 * L);
            c53 = FloatVector.fromArray(S, c, cOff + 5 * NR + 3 * L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c02 = z; c03 = z;
            c10 = z; c11 = z; c12 = z; c13 = z;
            c20 = z; c21 = z; c22 = z; c23 = z;
            c30 = z; c31 = z; c32 = z; c33 = z;
            c40 = z; c41 = z; c42 = z; c43 = z;
            c50 = z; c51 = z; c52 = z; c53 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        final int a2 = aOff + 2 * lda;
        final int a3 = aOff + 3 * lda;
        final int a4 = aOff + 4 * lda;
        final int a5 = aOff + 5 * lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Float.BYTES)
        {
            final FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            final FloatVector b1 = FloatVector.fromMemorySegment(S, b, bo + L * Float.BYTES, NATIVE);
            final FloatVector b2 = FloatVector.fromMemorySegment(S, b, bo + 2L * L * Float.BYTES, NATIVE);
            final FloatVector b3 = FloatVector.fromMemorySegment(S, b, bo + 3L * L * Float.BYTES, NATIVE);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11); c12 = x1.fma(b2, c12); c13 = x1.fma(b3, c13);
            final FloatVector x2 = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21); c22 = x2.fma(b2, c22); c23 = x2.fma(b3, c23);
            final FloatVector x3 = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31); c32 = x3.fma(b2, c32); c33 = x3.fma(b3, c33);
            final FloatVector x4 = FloatVector.broadcast(S, a[a4 + kk]);
            c40 = x4.fma(b0, c40); c41 = x4.fma(b1, c41); c42 = x4.fma(b2, c42); c43 = x4.fma(b3, c43);
            final FloatVector x5 = FloatVector.broadcast(S, a[a5 + kk]);
            c50 = x5.fma(b0, c50); c51 = x5.fma(b1, c51); c52 = x5.fma(b2, c52); c53 = x5.fma(b3, c53);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c02.intoArray(c, cOff + 2 * L);
        c03.intoArray(c, cOff + 3 * L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c12.intoArray(c, cOff + NR + 2 * L);
        c13.intoArray(c, cOff + NR + 3 * L);
        c20.intoArray(c, cOff + 2 * NR);
        c21.intoArray(c, cOff + 2 * NR + L);
        c22.intoArray(c, cOff + 2 * NR + 2 * L);
        c23.intoArray(c, cOff + 2 * NR + 3 * L);
        c30.intoArray(c, cOff + 3 * NR);
        c31.intoArray(c, cOff + 3 * NR + L);
        c32.intoArray(c, cOff + 3 * NR + 2 * L);
        c33.intoArray(c, cOff + 3 * NR + 3 * L);
        c40.intoArray(c, cOff + 4 * NR);
        c41.intoArray(c, cOff + 4 * NR + L);
        c42.intoArray(c, cOff + 4 * NR + 2 * L);
        c43.intoArray(c, cOff + 4 * NR + 3 * L);
        c50.intoArray(c, cOff + 5 * NR);
        c51.intoArray(c, cOff + 5 * NR + L);
        c52.intoArray(c, cOff + 5 * NR + 2 * L);
        c53.intoArray(c, cOff + 5 * NR + 3 * L);
    }

    /** 4 rows × one panel of 4 vectors. */
    static void rows4x4(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
            c03 = FloatVector.fromArray(S, c, cOff + 3 * L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c12 = FloatVector.fromArray(S, c, cOff + NR + 2 * L);
            c13 = FloatVector.fromArray(S, c, cOff + NR + 3 * L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * NR);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * NR + L);
            c22 = FloatVector.fromArray(S, c, cOff + 2 * NR + 2 * L);
            c23 = FloatVector.fromArray(S, c, cOff + 2 * NR + 3 * L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * NR);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * NR + L);
            c32 = FloatVector.fromArray(S, c, cOff + 3 * NR + 2 * L);
            c33 = FloatVector.fromArray(S, c, cOff + 3 * NR + 3 * L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c02 = z; c03 = z;
            c10 = z; c11 = z; c12 = z; c13 = z;
            c20 = z; c21 = z; c22 = z; c23 = z;
            c30 = z; c31 = z; c32 = z; c33 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        final int a2 = aOff + 2 * lda;
        final int a3 = aOff + 3 * lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Float.BYTES)
        {
            final FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            final FloatVector b1 = FloatVector.fromMemorySegment(S, b, bo + L * Float.BYTES, NATIVE);
            final FloatVector b2 = FloatVector.fromMemorySegment(S, b, bo + 2L * L * Float.BYTES, NATIVE);
            final FloatVector b3 = FloatVector.fromMemorySegment(S, b, bo + 3L * L * Float.BYTES, NATIVE);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11); c12 = x1.fma(b2, c12); c13 = x1.fma(b3, c13);
            final FloatVector x2 = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21); c22 = x2.fma(b2, c22); c23 = x2.fma(b3, c23);
            final FloatVector x3 = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31); c32 = x3.fma(b2, c32); c33 = x3.fma(b3, c33);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c02.intoArray(c, cOff + 2 * L);
        c03.intoArray(c, cOff + 3 * L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c12.intoArray(c, cOff + NR + 2 * L);
        c13.intoArray(c, cOff + NR + 3 * L);
        c20.intoArray(c, cOff + 2 * NR);
        c21.intoArray(c, cOff + 2 * NR + L);
        c22.intoArray(c, cOff + 2 * NR + 2 * L);
        c23.intoArray(c, cOff + 2 * NR + 3 * L);
        c30.intoArray(c, cOff + 3 * NR);
        c31.intoArray(c, cOff + 3 * NR + L);
        c32.intoArray(c, cOff + 3 * NR + 2 * L);
        c33.intoArray(c, cOff + 3 * NR + 3 * L);
    }

    /** 2 rows × one panel of 4 vectors. */
    static void rows2x4(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
            c03 = FloatVector.fromArray(S, c, cOff + 3 * L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c12 = FloatVector.fromArray(S, c, cOff + NR + 2 * L);
            c13 = FloatVector.fromArray(S, c, cOff + NR + 3 * L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c02 = z; c03 = z;
            c10 = z; c11 = z; c12 = z; c13 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Float.BYTES)
        {
            final FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            final FloatVector b1 = FloatVector.fromMemorySegment(S, b, bo + L * Float.BYTES, NATIVE);
            final FloatVector b2 = FloatVector.fromMemorySegment(S, b, bo + 2L * L * Float.BYTES, NATIVE);
            final FloatVector b3 = FloatVector.fromMemorySegment(S, b, bo + 3L * L * Float.BYTES, NATIVE);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11); c12 = x1.fma(b2, c12); c13 = x1.fma(b3, c13);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c02.intoArray(c, cOff + 2 * L);
        c03.intoArray(c, cOff + 3 * L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c12.intoArray(c, cOff + NR + 2 * L);
        c13.intoArray(c, cOff + NR + 3 * L);
    }

    /** 1 row × one panel of 4 vectors. */
    static void rows1x4(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c02, c03;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
            c03 = FloatVector.fromArray(S, c, cOff + 3 * L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c02 = z; c03 = z;
        }
        final int a0 = aOff;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Float.BYTES)
        {
            final FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            final FloatVector b1 = FloatVector.fromMemorySegment(S, b, bo + L * Float.BYTES, NATIVE);
            final FloatVector b2 = FloatVector.fromMemorySegment(S, b, bo + 2L * L * Float.BYTES, NATIVE);
            final FloatVector b3 = FloatVector.fromMemorySegment(S, b, bo + 3L * L * Float.BYTES, NATIVE);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c02.intoArray(c, cOff + 2 * L);
        c03.intoArray(c, cOff + 3 * L);
    }

    /** 6 rows × one panel of 4 vectors of bfloat16 weights, widened as they are loaded. */
    static void rows6x4Bf16(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
            c03 = FloatVector.fromArray(S, c, cOff + 3 * L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c12 = FloatVector.fromArray(S, c, cOff + NR + 2 * L);
            c13 = FloatVector.fromArray(S, c, cOff + NR + 3 * L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * NR);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * NR + L);
            c22 = FloatVector.fromArray(S, c, cOff + 2 * NR + 2 * L);
            c23 = FloatVector.fromArray(S, c, cOff + 2 * NR + 3 * L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * NR);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * NR + L);
            c32 = FloatVector.fromArray(S, c, cOff + 3 * NR + 2 * L);
            c33 = FloatVector.fromArray(S, c, cOff + 3 * NR + 3 * L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * NR);
            c41 = FloatVector.fromArray(S, c, cOff + 4 * NR + L);
            c42 = FloatVector.fromArray(S, c, cOff + 4 * NR + 2 * L);
            c43 = FloatVector.fromArray(S, c, cOff + 4 * NR + 3 * L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * NR);
            c51 = FloatVector.fromArray(S, c, cOff + 5 * NR + L);
            c52 = FloatVector.fromArray(S, c, cOff + 5 * NR + 2 * L);
            c53 = FloatVector.fromArray(S, c, cOff + 5 * NR + 3 * L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c02 = z; c03 = z;
            c10 = z; c11 = z; c12 = z; c13 = z;
            c20 = z; c21 = z; c22 = z; c23 = z;
            c30 = z; c31 = z; c32 = z; c33 = z;
            c40 = z; c41 = z; c42 = z; c43 = z;
            c50 = z; c51 = z; c52 = z; c53 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        final int a2 = aOff + 2 * lda;
        final int a3 = aOff + 3 * lda;
        final int a4 = aOff + 4 * lda;
        final int a5 = aOff + 5 * lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Short.BYTES)
        {
            final FloatVector b0 = widen(b, bo);
            final FloatVector b1 = widen(b, bo + L * Short.BYTES);
            final FloatVector b2 = widen(b, bo + 2L * L * Short.BYTES);
            final FloatVector b3 = widen(b, bo + 3L * L * Short.BYTES);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11); c12 = x1.fma(b2, c12); c13 = x1.fma(b3, c13);
            final FloatVector x2 = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21); c22 = x2.fma(b2, c22); c23 = x2.fma(b3, c23);
            final FloatVector x3 = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31); c32 = x3.fma(b2, c32); c33 = x3.fma(b3, c33);
            final FloatVector x4 = FloatVector.broadcast(S, a[a4 + kk]);
            c40 = x4.fma(b0, c40); c41 = x4.fma(b1, c41); c42 = x4.fma(b2, c42); c43 = x4.fma(b3, c43);
            final FloatVector x5 = FloatVector.broadcast(S, a[a5 + kk]);
            c50 = x5.fma(b0, c50); c51 = x5.fma(b1, c51); c52 = x5.fma(b2, c52); c53 = x5.fma(b3, c53);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c02.intoArray(c, cOff + 2 * L);
        c03.intoArray(c, cOff + 3 * L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c12.intoArray(c, cOff + NR + 2 * L);
        c13.intoArray(c, cOff + NR + 3 * L);
        c20.intoArray(c, cOff + 2 * NR);
        c21.intoArray(c, cOff + 2 * NR + L);
        c22.intoArray(c, cOff + 2 * NR + 2 * L);
        c23.intoArray(c, cOff + 2 * NR + 3 * L);
        c30.intoArray(c, cOff + 3 * NR);
        c31.intoArray(c, cOff + 3 * NR + L);
        c32.intoArray(c, cOff + 3 * NR + 2 * L);
        c33.intoArray(c, cOff + 3 * NR + 3 * L);
        c40.intoArray(c, cOff + 4 * NR);
        c41.intoArray(c, cOff + 4 * NR + L);
        c42.intoArray(c, cOff + 4 * NR + 2 * L);
        c43.intoArray(c, cOff + 4 * NR + 3 * L);
        c50.intoArray(c, cOff + 5 * NR);
        c51.intoArray(c, cOff + 5 * NR + L);
        c52.intoArray(c, cOff + 5 * NR + 2 * L);
        c53.intoArray(c, cOff + 5 * NR + 3 * L);
    }

    /** 4 rows × one panel of 4 vectors of bfloat16 weights, widened as they are loaded. */
    static void rows4x4Bf16(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
            c03 = FloatVector.fromArray(S, c, cOff + 3 * L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c12 = FloatVector.fromArray(S, c, cOff + NR + 2 * L);
            c13 = FloatVector.fromArray(S, c, cOff + NR + 3 * L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * NR);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * NR + L);
            c22 = FloatVector.fromArray(S, c, cOff + 2 * NR + 2 * L);
            c23 = FloatVector.fromArray(S, c, cOff + 2 * NR + 3 * L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * NR);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * NR + L);
            c32 = FloatVector.fromArray(S, c, cOff + 3 * NR + 2 * L);
            c33 = FloatVector.fromArray(S, c, cOff + 3 * NR + 3 * L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c02 = z; c03 = z;
            c10 = z; c11 = z; c12 = z; c13 = z;
            c20 = z; c21 = z; c22 = z; c23 = z;
            c30 = z; c31 = z; c32 = z; c33 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        final int a2 = aOff + 2 * lda;
        final int a3 = aOff + 3 * lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Short.BYTES)
        {
            final FloatVector b0 = widen(b, bo);
            final FloatVector b1 = widen(b, bo + L * Short.BYTES);
            final FloatVector b2 = widen(b, bo + 2L * L * Short.BYTES);
            final FloatVector b3 = widen(b, bo + 3L * L * Short.BYTES);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11); c12 = x1.fma(b2, c12); c13 = x1.fma(b3, c13);
            final FloatVector x2 = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21); c22 = x2.fma(b2, c22); c23 = x2.fma(b3, c23);
            final FloatVector x3 = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31); c32 = x3.fma(b2, c32); c33 = x3.fma(b3, c33);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c02.intoArray(c, cOff + 2 * L);
        c03.intoArray(c, cOff + 3 * L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c12.intoArray(c, cOff + NR + 2 * L);
        c13.intoArray(c, cOff + NR + 3 * L);
        c20.intoArray(c, cOff + 2 * NR);
        c21.intoArray(c, cOff + 2 * NR + L);
        c22.intoArray(c, cOff + 2 * NR + 2 * L);
        c23.intoArray(c, cOff + 2 * NR + 3 * L);
        c30.intoArray(c, cOff + 3 * NR);
        c31.intoArray(c, cOff + 3 * NR + L);
        c32.intoArray(c, cOff + 3 * NR + 2 * L);
        c33.intoArray(c, cOff + 3 * NR + 3 * L);
    }

    /** 2 rows × one panel of 4 vectors of bfloat16 weights, widened as they are loaded. */
    static void rows2x4Bf16(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
            c03 = FloatVector.fromArray(S, c, cOff + 3 * L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c12 = FloatVector.fromArray(S, c, cOff + NR + 2 * L);
            c13 = FloatVector.fromArray(S, c, cOff + NR + 3 * L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c02 = z; c03 = z;
            c10 = z; c11 = z; c12 = z; c13 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Short.BYTES)
        {
            final FloatVector b0 = widen(b, bo);
            final FloatVector b1 = widen(b, bo + L * Short.BYTES);
            final FloatVector b2 = widen(b, bo + 2L * L * Short.BYTES);
            final FloatVector b3 = widen(b, bo + 3L * L * Short.BYTES);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11); c12 = x1.fma(b2, c12); c13 = x1.fma(b3, c13);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c02.intoArray(c, cOff + 2 * L);
        c03.intoArray(c, cOff + 3 * L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c12.intoArray(c, cOff + NR + 2 * L);
        c13.intoArray(c, cOff + NR + 3 * L);
    }

    /** 1 row × one panel of 4 vectors of bfloat16 weights, widened as they are loaded. */
    static void rows1x4Bf16(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c02, c03;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
            c03 = FloatVector.fromArray(S, c, cOff + 3 * L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c02 = z; c03 = z;
        }
        final int a0 = aOff;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Short.BYTES)
        {
            final FloatVector b0 = widen(b, bo);
            final FloatVector b1 = widen(b, bo + L * Short.BYTES);
            final FloatVector b2 = widen(b, bo + 2L * L * Short.BYTES);
            final FloatVector b3 = widen(b, bo + 3L * L * Short.BYTES);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02); c03 = x0.fma(b3, c03);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c02.intoArray(c, cOff + 2 * L);
        c03.intoArray(c, cOff + 3 * L);
    }

    /** 6 rows × one panel of 2 vectors. */
    static void rows6x2(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * NR);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * NR + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * NR);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * NR + L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * NR);
            c41 = FloatVector.fromArray(S, c, cOff + 4 * NR + L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * NR);
            c51 = FloatVector.fromArray(S, c, cOff + 5 * NR + L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
            c40 = z; c41 = z;
            c50 = z; c51 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        final int a2 = aOff + 2 * lda;
        final int a3 = aOff + 3 * lda;
        final int a4 = aOff + 4 * lda;
        final int a5 = aOff + 5 * lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Float.BYTES)
        {
            final FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            final FloatVector b1 = FloatVector.fromMemorySegment(S, b, bo + L * Float.BYTES, NATIVE);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
            final FloatVector x2 = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
            final FloatVector x3 = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
            final FloatVector x4 = FloatVector.broadcast(S, a[a4 + kk]);
            c40 = x4.fma(b0, c40); c41 = x4.fma(b1, c41);
            final FloatVector x5 = FloatVector.broadcast(S, a[a5 + kk]);
            c50 = x5.fma(b0, c50); c51 = x5.fma(b1, c51);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c20.intoArray(c, cOff + 2 * NR);
        c21.intoArray(c, cOff + 2 * NR + L);
        c30.intoArray(c, cOff + 3 * NR);
        c31.intoArray(c, cOff + 3 * NR + L);
        c40.intoArray(c, cOff + 4 * NR);
        c41.intoArray(c, cOff + 4 * NR + L);
        c50.intoArray(c, cOff + 5 * NR);
        c51.intoArray(c, cOff + 5 * NR + L);
    }

    /** 4 rows × one panel of 2 vectors. */
    static void rows4x2(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * NR);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * NR + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * NR);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * NR + L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        final int a2 = aOff + 2 * lda;
        final int a3 = aOff + 3 * lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Float.BYTES)
        {
            final FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            final FloatVector b1 = FloatVector.fromMemorySegment(S, b, bo + L * Float.BYTES, NATIVE);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
            final FloatVector x2 = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
            final FloatVector x3 = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c20.intoArray(c, cOff + 2 * NR);
        c21.intoArray(c, cOff + 2 * NR + L);
        c30.intoArray(c, cOff + 3 * NR);
        c31.intoArray(c, cOff + 3 * NR + L);
    }

    /** 2 rows × one panel of 2 vectors. */
    static void rows2x2(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c10, c11;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Float.BYTES)
        {
            final FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            final FloatVector b1 = FloatVector.fromMemorySegment(S, b, bo + L * Float.BYTES, NATIVE);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
    }

    /** 1 row × one panel of 2 vectors. */
    static void rows1x2(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
        }
        final int a0 = aOff;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Float.BYTES)
        {
            final FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            final FloatVector b1 = FloatVector.fromMemorySegment(S, b, bo + L * Float.BYTES, NATIVE);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
    }

    /** 6 rows × one panel of 2 vectors of bfloat16 weights, widened as they are loaded. */
    static void rows6x2Bf16(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * NR);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * NR + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * NR);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * NR + L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * NR);
            c41 = FloatVector.fromArray(S, c, cOff + 4 * NR + L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * NR);
            c51 = FloatVector.fromArray(S, c, cOff + 5 * NR + L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
            c40 = z; c41 = z;
            c50 = z; c51 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        final int a2 = aOff + 2 * lda;
        final int a3 = aOff + 3 * lda;
        final int a4 = aOff + 4 * lda;
        final int a5 = aOff + 5 * lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Short.BYTES)
        {
            final FloatVector b0 = widen(b, bo);
            final FloatVector b1 = widen(b, bo + L * Short.BYTES);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
            final FloatVector x2 = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
            final FloatVector x3 = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
            final FloatVector x4 = FloatVector.broadcast(S, a[a4 + kk]);
            c40 = x4.fma(b0, c40); c41 = x4.fma(b1, c41);
            final FloatVector x5 = FloatVector.broadcast(S, a[a5 + kk]);
            c50 = x5.fma(b0, c50); c51 = x5.fma(b1, c51);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c20.intoArray(c, cOff + 2 * NR);
        c21.intoArray(c, cOff + 2 * NR + L);
        c30.intoArray(c, cOff + 3 * NR);
        c31.intoArray(c, cOff + 3 * NR + L);
        c40.intoArray(c, cOff + 4 * NR);
        c41.intoArray(c, cOff + 4 * NR + L);
        c50.intoArray(c, cOff + 5 * NR);
        c51.intoArray(c, cOff + 5 * NR + L);
    }

    /** 4 rows × one panel of 2 vectors of bfloat16 weights, widened as they are loaded. */
    static void rows4x2Bf16(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * NR);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * NR + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * NR);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * NR + L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        final int a2 = aOff + 2 * lda;
        final int a3 = aOff + 3 * lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Short.BYTES)
        {
            final FloatVector b0 = widen(b, bo);
            final FloatVector b1 = widen(b, bo + L * Short.BYTES);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
            final FloatVector x2 = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
            final FloatVector x3 = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
        c20.intoArray(c, cOff + 2 * NR);
        c21.intoArray(c, cOff + 2 * NR + L);
        c30.intoArray(c, cOff + 3 * NR);
        c31.intoArray(c, cOff + 3 * NR + L);
    }

    /** 2 rows × one panel of 2 vectors of bfloat16 weights, widened as they are loaded. */
    static void rows2x2Bf16(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01, c10, c11;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + NR);
            c11 = FloatVector.fromArray(S, c, cOff + NR + L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
        }
        final int a0 = aOff;
        final int a1 = aOff + lda;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Short.BYTES)
        {
            final FloatVector b0 = widen(b, bo);
            final FloatVector b1 = widen(b, bo + L * Short.BYTES);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            final FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + NR);
        c11.intoArray(c, cOff + NR + L);
    }

    /** 1 row × one panel of 2 vectors of bfloat16 weights, widened as they are loaded. */
    static void rows1x2Bf16(
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        FloatVector c00, c01;
        if (accumulate)
        {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
        }
        else
        {
            final FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
        }
        final int a0 = aOff;
        long bo = bOff;
        for (int kk = 0; kk < kc; kk++, bo += NR * (long)Short.BYTES)
        {
            final FloatVector b0 = widen(b, bo);
            final FloatVector b1 = widen(b, bo + L * Short.BYTES);
            final FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
    }

    /** L bfloat16 weights → L floats: the bf16 bits are the float's upper half, so this is exact. */
    static FloatVector widen(final MemorySegment b, final long offset)
    {
        return ((IntVector)ShortVector.fromMemorySegment(S_BF16, b, offset, NATIVE)
            .convertShape(VectorOperators.S2I, S_INT, 0))
            .lanewise(VectorOperators.LSHL, 16)
            .reinterpretAsFloats();
    }

    /** Runs the largest kernel that fits in {@code rows} and returns the rows it did. */
    static int run(
        final int rows,
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        if (KernelGeometry.NV == 4)
        {
            if (rows >= 6)
            {
                rows6x4(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 6;
            }
            if (rows >= 4)
            {
                rows4x4(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 4;
            }
            if (rows >= 2)
            {
                rows2x4(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 2;
            }
            rows1x4(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
            return 1;
        }
        if (KernelGeometry.NV == 2)
        {
            if (rows >= 6)
            {
                rows6x2(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 6;
            }
            if (rows >= 4)
            {
                rows4x2(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 4;
            }
            if (rows >= 2)
            {
                rows2x2(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 2;
            }
            rows1x2(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
            return 1;
        }
        throw new IllegalStateException("no kernel for " + KernelGeometry.NV + " vectors per panel");
    }

    /** Runs the largest kernel that fits in {@code rows} (bfloat16 panel) and returns the rows it did. */
    static int runBf16(
        final int rows,
        final float[] a, final int aOff, final int lda,
        final MemorySegment b, final long bOff, final int kc,
        final float[] c, final int cOff, final boolean accumulate)
    {
        if (KernelGeometry.NV == 4)
        {
            if (rows >= 6)
            {
                rows6x4Bf16(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 6;
            }
            if (rows >= 4)
            {
                rows4x4Bf16(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 4;
            }
            if (rows >= 2)
            {
                rows2x4Bf16(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 2;
            }
            rows1x4Bf16(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
            return 1;
        }
        if (KernelGeometry.NV == 2)
        {
            if (rows >= 6)
            {
                rows6x2Bf16(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 6;
            }
            if (rows >= 4)
            {
                rows4x2Bf16(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 4;
            }
            if (rows >= 2)
            {
                rows2x2Bf16(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
                return 2;
            }
            rows1x2Bf16(a, aOff, lda, b, bOff, kc, c, cOff, accumulate);
            return 1;
        }
        throw new IllegalStateException("no kernel for " + KernelGeometry.NV + " vectors per panel");
    }
}
