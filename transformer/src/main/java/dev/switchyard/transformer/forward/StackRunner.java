package dev.switchyard.transformer.forward;

import java.util.List;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.math.VectorMath;
import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.transformer.attention.Attend;
import dev.switchyard.transformer.attention.Memory;
import dev.switchyard.transformer.attention.Visibility;
import dev.switchyard.transformer.model.TransformerModel;
import dev.switchyard.transformer.moe.MoeLayers;

/**
 * One pass of tokens through a stack (docs/contracts.md §8 item 2): for each layer x += sublayer(normalize(x)),
 * then x = normalize(x). Dense products run on the compute backend, whose output rows depend only on their
 * input rows, so a token gives the same bits whether it is alone in a decode step or among [B, L] in a
 * full forward; only the MoE layers see the pass's grouping.
 * <p>
 * Not thread-safe: it owns the pass's scratch, grown to the largest pass and then reused.
 */
public final class StackRunner
{
    private final TransformerModel model;
    private final TransformerModel.Stack stack;
    private final ComputeBackend backend;
    private final MoeLayers moe;
    private final boolean encoder;
    private final int d;
    private final int hk;
    private final int dFf;
    private final float eps;

    private int room;
    private float[] h = new float[0];     // [T, d] normalized input of a sublayer
    private float[] y = new float[0];     // [T, d] sublayer output
    private float[] q = new float[0];     // [T, H·K]
    private float[] k = new float[0];     // [T, H·K]
    private float[] v = new float[0];     // [T, H·K]
    private float[] att = new float[0];   // [T, H·K] heads concatenated
    private float[] hid = new float[0];   // [T, d_ff]
    private float[] importance = new float[0]; // [T]
    private float[] scores = new float[0];
    private boolean[] seen = new boolean[0];

    public StackRunner(
        final TransformerModel model, final TransformerModel.Stack stack, final ComputeBackend backend,
        final MoeLayers moe)
    {
        this.model = model;
        this.stack = stack;
        this.backend = backend;
        this.moe = moe;
        this.encoder = TransformerConfig.ENCODER.equals(stack.name());
        final TransformerConfig t = model.transformer();
        this.d = model.dModel();
        this.hk = t.heads() * t.kvDim();
        this.dFf = model.config().dFf();
        this.eps = (float)t.normEpsilon();
    }

    /**
     * Runs the tokens through the stack.
     *
     * @param x [T, d]: the embedded tokens in, the stack's normalized output out
     */
    public void run(final float[] x, final Tokens tokens, final StackState state)
    {
        final int n = tokens.count();
        ensure(n, state.capacity());
        for (int t = 0; t < n; t++)
        {
            state.record(tokens.slot(t), tokens.pos(t), tokens.id(t), tokens.segment(t));
            // Encoder padding tokens take no expert capacity (docs/contracts.md §8 item 6).
            importance[t] = encoder && tokens.id(t) == 0 ? 0f : 1f;
        }
        final float[] scale = stack.normScale();
        final List<TransformerModel.Layer> layers = stack.layers();
        for (int l = 0; l < layers.size(); l++)
        {
            for (int t = 0; t < n; t++)
            {
                VectorMath.rmsNorm(x, t * d, scale, l * d, eps, h, t * d, d);
            }
            switch (layers.get(l))
            {
                case TransformerModel.Attention a -> attention(a, l, tokens, state);
                case TransformerModel.Drd drd ->
                {
                    backend.linear(drd.wi(), Epilogue.RELU, h, 0, n, hid, 0);
                    backend.linear(drd.wo(), Epilogue.NONE, hid, 0, n, y, 0);
                }
                case TransformerModel.Moe m -> moe(m.served(), tokens);
            }
            for (int t = 0; t < n; t++)
            {
                VectorMath.add(y, t * d, x, t * d, d);
            }
        }
        for (int t = 0; t < n; t++)
        {
            VectorMath.rmsNorm(x, t * d, scale, layers.size() * d, eps, x, t * d, d);
        }
    }

    private void attention(final TransformerModel.Attention a, final int layer, final Tokens tokens,
        final StackState state)
    {
        final int n = tokens.count();
        final TransformerConfig t = model.transformer();
        backend.linear(a.q(), Epilogue.NONE, h, 0, n, q, 0);
        final Memory memory;
        final Visibility rule;
        final boolean cross = a.type() == LayerType.ENC_ATT;
        if (cross)
        {
            memory = state.cross(layer);
            rule = Visibility.NON_PADDING;
        }
        else
        {
            memory = state.self(layer);
            backend.linear(a.k(), Epilogue.NONE, h, 0, n, k, 0);
            backend.linear(a.v(), Epilogue.NONE, h, 0, n, v, 0);
            for (int i = 0; i < n; i++)
            {
                memory.store().put(tokens.slot(i), tokens.pos(i), k, i * hk, v, i * hk);
            }
            rule = encoder ? Visibility.NON_PADDING :
                a.type() == LayerType.LOCAL_ATT ? Visibility.LOCAL_BLOCK : Visibility.CAUSAL;
        }
        for (int i = 0; i < n; i++)
        {
            Attend.query(q, i * hk, tokens.pos(i), tokens.segment(i), rule, t.localAttentionWindow(), memory,
                cross ? tokens.row(i) : tokens.slot(i), t.heads(), t.kvDim(), scores, seen, att, i * hk);
        }
        backend.linear(a.o(), Epilogue.NONE, att, 0, n, y, 0);
    }

    private void moe(final int layer, final Tokens tokens)
    {
        final int n = tokens.count();
        if (!tokens.grouped())
        {
            moe.forward(layer, h, n, encoder ? importance : null, y);
            return;
        }
        final int[] keys = new int[n];
        for (int t = 0; t < n; t++)
        {
            keys[t] = tokens.moeGroup(t);
        }
        final int[] distinct = java.util.Arrays.stream(keys).distinct().sorted().toArray();
        final float[] gx = new float[n * d];
        final float[] gy = new float[n * d];
        final float[] gi = new float[n];
        final int[] members = new int[n];
        for (final int key : distinct)
        {
            int m = 0;
            for (int t = 0; t < n; t++)
            {
                if (keys[t] == key)
                {
                    System.arraycopy(h, t * d, gx, m * d, d);
                    gi[m] = importance[t];
                    members[m++] = t;
                }
            }
            moe.forward(layer, gx, m, encoder ? gi : null, gy);
            for (int i = 0; i < m; i++)
            {
                System.arraycopy(gy, i * d, y, members[i] * d, d);
            }
        }
    }

    private void ensure(final int n, final int memory)
    {
        if (n > room)
        {
            room = n;
            h = new float[n * d];
            y = new float[n * d];
            q = new float[n * hk];
            k = new float[n * hk];
            v = new float[n * hk];
            att = new float[n * hk];
            hid = new float[n * dFf];
            importance = new float[n];
        }
        final int m = Math.max(memory, model.transformer().maxLength());
        if (scores.length < m)
        {
            scores = new float[m];
            seen = new boolean[m];
        }
    }
}
