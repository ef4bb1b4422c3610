package dev.switchyard.transformer.model;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.model.directory.TensorNames;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.model.io.SafeTensorsWriter;
import dev.switchyard.wire.BadInputException;

/**
 * Writes a random transformer model with the seed's initialisers: embeddings N(0, 1); attention as mesh's
 * {@code multihead_attention_vars} (q and k std d^-0.5·K^-0.25, v d^-0.5, o (d·H)^-0.5); the softmax
 * d^-0.5; {@code drd} as the experts (wi 1/√d, wo 1/√d_ff); norm scales 1; MoE layers as
 * {@link ModelGenerator}. Fully determined by the config and the seed.
 */
public final class TransformerGenerator
{
    private TransformerGenerator()
    {
    }

    /**
     * @throws BadInputException when the config is out of range, the directory already holds a model, or
     *                           the files cannot be written
     */
    public static void generate(final Path dir, final ModelConfig config, final long seed)
    {
        final Path configFile = dir.resolve(ModelDirectory.CONFIG_FILE);
        final Path weightsFile = dir.resolve(ModelDirectory.WEIGHTS_FILE);
        ModelConfigJson.validate(config, configFile.toString());
        final TransformerConfig t = config.transformer();
        if (t == null)
        {
            throw new BadInputException("a transformer model needs a transformer object in its config");
        }
        final SafeTensorsWriter w = weights(config, seed);
        ModelGenerator.createEmptyModelDirectory(dir, configFile, weightsFile);
        // Weights first: a config.json in a directory means its model is complete.
        w.write(weightsFile);
        ModelConfigJson.write(configFile, config);
    }

    /** The size in bytes of the {@code model.safetensors} that {@link #generate} writes for this config. */
    public static long weightsBytes(final ModelConfig config)
    {
        return weights(config, 0).fileBytes();
    }

    /** The tensors of the model, each generated only when the writer pulls it. */
    private static SafeTensorsWriter weights(final ModelConfig config, final long seed)
    {
        final TransformerConfig t = config.transformer();
        final SplittableRandom root = new SplittableRandom(seed);
        final SafeTensorsWriter w = new SafeTensorsWriter();
        final long d = config.dModel();
        ModelGenerator.gaussian(w, root, TensorNames.EMBEDDING_TARGETS, 1.0, t.vocabSize(), d);
        if (t.separateInputsEmbedding())
        {
            ModelGenerator.gaussian(w, root, TensorNames.EMBEDDING_INPUTS, 1.0, t.inputsVocabSize(), d);
        }
        ModelGenerator.gaussian(w, root, TensorNames.EMBEDDING_POSITIONS, 1.0, t.maxLength(), d);
        if (!t.sharedEmbeddingAndSoftmaxWeights())
        {
            ModelGenerator.gaussian(w, root, TensorNames.SOFTMAX, Math.pow(d, -0.5), t.vocabSize(), d);
        }
        stack(w, root, config, TransformerConfig.ENCODER, t.encoderLayers());
        stack(w, root, config, TransformerConfig.DECODER, t.decoderLayers());
        return w;
    }

    private static void stack(
        final SafeTensorsWriter w, final SplittableRandom root, final ModelConfig config, final String stack,
        final List<LayerType> layers)
    {
        if (layers.isEmpty())
        {
            return;
        }
        final TransformerConfig t = config.transformer();
        final long d = config.dModel();
        final long hk = (long)t.heads() * t.kvDim();
        final double qk = Math.pow(d, -0.5) * Math.pow(t.kvDim(), -0.25);
        for (int l = 0; l < layers.size(); l++)
        {
            final LayerType type = layers.get(l);
            final String p = TensorNames.layer(stack, l, type.configName());
            switch (type)
            {
                case ATT, ENC_ATT, LOCAL_ATT ->
                {
                    ModelGenerator.gaussian(w, root, p + "q.weight", qk, hk, d);
                    ModelGenerator.gaussian(w, root, p + "k.weight", qk, hk, d);
                    ModelGenerator.gaussian(w, root, p + "v.weight", Math.pow(d, -0.5), hk, d);
                    ModelGenerator.gaussian(w, root, p + "o.weight", Math.pow(d * t.heads(), -0.5), d, hk);
                }
                case DRD ->
                {
                    ModelGenerator.gaussian(w, root, p + "wi.weight", Math.pow(d, -0.5), config.dFf(), d);
                    ModelGenerator.gaussian(w, root, p + "wo.weight", Math.pow(config.dFf(), -0.5), d, config.dFf());
                }
                case MOE -> ModelGenerator.addMoeLayer(w, root, config, p);
            }
        }
        final long rows = layers.size() + 1;
        w.add(TensorNames.normScale(stack), new long[] {rows, d}, sink ->
        {
            for (long i = 0; i < rows * d; i++)
            {
                sink.put(1f);
            }
        });
    }
}
