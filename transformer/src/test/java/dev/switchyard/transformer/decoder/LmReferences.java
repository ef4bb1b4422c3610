package dev.switchyard.transformer.decoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.switchyard.testkit.TestData;
import dev.switchyard.transformer.io.TensorFiles;

/** The whole-model references of testdata/lm (written by its make_lm_references.py). */
record LmReferences(int rows, int length, int vocab, int[] ids, float[] logits)
{
    static Path lm()
    {
        return TestData.checkpoints().resolveSibling("lm");
    }

    static LmReferences of(final String name) throws IOException
    {
        final TensorFiles.Ids ids = TensorFiles.readIds("ids", lm().resolve(name).resolve("ids.npy"));
        final float[] logits = floats(lm().resolve(name).resolve("logits.npy"));
        return new LmReferences(ids.rows(), ids.cols(), logits.length / ids.data().length, ids.data(), logits);
    }

    /** The data of a little-endian float32 .npy file of any shape. */
    static float[] floats(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int start = 10 + Short.toUnsignedInt(buf.getShort(8));
        final String header = new String(bytes, 0, start, StandardCharsets.ISO_8859_1);
        if (bytes[6] != 1 || !header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False"))
        {
            throw new IllegalStateException(file + ": not a C-order <f4 .npy 1.0 file: " + header);
        }
        final float[] out = new float[(bytes.length - start) / 4];
        buf.position(start);
        buf.asFloatBuffer().get(out);
        return out;
    }

    /** Rows [from, from + n) of the ids. */
    int[] ids(final int from, final int n)
    {
        final int[] out = new int[n * length];
        System.arraycopy(ids, from * length, out, 0, out.length);
        return out;
    }
}
