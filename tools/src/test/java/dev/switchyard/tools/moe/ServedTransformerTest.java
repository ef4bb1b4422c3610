package dev.switchyard.tools.moe;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.ModelType;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.transformer.attention.Memory;
import dev.switchyard.transformer.decode.DecodeOptions;
import dev.switchyard.transformer.decode.DecodeResult;
import dev.switchyard.transformer.decode.Decoding;
import dev.switchyard.transformer.decode.Generator;
import dev.switchyard.transformer.decode.StepListener;
import dev.switchyard.transformer.forward.Transformer;
import dev.switchyard.transformer.model.TransformerGenerator;
import dev.switchyard.transformer.model.TransformerModel;
import dev.switchyard.transformer.moe.LocalMoeLayers;
import dev.switchyard.transformer.moe.MoeLayers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encoder-decoder transformer whose MoE layers (two in the encoder, two in the decoder) run through the
 * embedded system, one request per layer and pass: every decoding mode gives the in-process bits.
 */
class ServedTransformerTest
{
    @TempDir
    static Path dir;

    static EmbeddedSystem system;
    static ModelDirectory model;
    static ComputeBackend backend;
    static TransformerModel transformer;
    static MoeLayers served;
    static MoeLayers local;

    static final int[] SOURCE = {
        4, 9, 12, 3, 0, 0,
        7, 7, 7, 7, 7, 7,
        0, 0, 0, 0, 0, 0};

    @BeforeAll
    static void start()
    {
        final RoutingConfig routing = new RoutingConfig(4, 1.0, 1, SecondPolicy.THRESHOLD, 0.1,
            Normalize.BEFORE_CAPACITY, false, 0);
        final TransformerConfig t = new TransformerConfig(ModelType.ENCDEC, 30, 20, 10, 2, 8, 1e-6, false, true, 3,
            1.5, 3, layers("moe,att,moe"), layers("att,enc_att,moe,local_att,moe"));
        final Path path = dir.resolve("encdec");
        TransformerGenerator.generate(path, new ModelConfig(24, 32, 4, Activation.RELU, true, routing, t), 9);
        system = EmbeddedSystem.start(path);
        model = ModelDirectory.open(path);
        backend = ComputeBackends.vector(ComputePool.callerOnly());
        transformer = TransformerModel.load(model, backend);
        served = new ServedMoeLayers(system.client(), false);
        local = new LocalMoeLayers(model, backend);
    }

    @AfterAll
    static void stop()
    {
        if (system != null)
        {
            system.close();
        }
        if (model != null)
        {
            model.close();
        }
    }

    private static List<LayerType> layers(final String csv)
    {
        return Arrays.stream(csv.split(",")).map(LayerType::fromConfigName).toList();
    }

    private static DecodeResult decode(final MoeLayers moe, final DecodeOptions options)
    {
        return Decoding.decode(new Transformer(transformer, backend, moe), SOURCE, 3, 6, options, StepListener.NONE,
            () -> false);
    }

    @Test
    void greedySamplingAndBeamSearchEqualInProcess()
    {
        for (final DecodeOptions options : List.of(
            DecodeOptions.greedy(),
            DecodeOptions.greedy().withTemperature(1.5, 77),
            DecodeOptions.greedy().withBeam(3, 0.6),
            DecodeOptions.greedy().withBeam(2, 0.0).withMaxLength(7)))
        {
            final DecodeResult want = decode(local, options);
            final DecodeResult got = decode(served, options);
            assertArrayEquals(want.ids(), got.ids(), options.toString());
            assertArrayEquals(want.scores(), got.scores(), options.toString());
        }
    }

    @Test
    void scoreEqualsInProcess()
    {
        final int[] targets = {3, 5, 1, 0, 2, 2, 2, 2, 6, 6, 1, 0};
        final float[][] logits = new float[2][];
        int i = 0;
        for (final MoeLayers moe : List.of(local, served))
        {
            final Transformer tr = new Transformer(transformer, backend, moe);
            final Memory[] cross = tr.encode(SOURCE, 3, 6, null);
            logits[i++] = tr.score(targets, 3, 4, null, cross);
        }
        assertArrayEquals(logits[0], logits[1]);
    }

    @Test
    void generatorStreamsEveryIdAndStopsWhenCancelled() throws Exception
    {
        try (Generator generator = new Generator(transformer, backend, served))
        {
            final AtomicInteger seen = new AtomicInteger();
            final int[] streamed = new int[3 * 10];
            final Generator.Generation g = generator.generate(SOURCE, 3, 6, DecodeOptions.greedy(),
                (row, position, id) ->
                {
                    streamed[row * 10 + position] = id;
                    seen.incrementAndGet();
                });
            final DecodeResult r = g.result().get(60, TimeUnit.SECONDS);
            assertArrayEquals(r.ids(), streamed);
            assertArrayEquals(decode(local, DecodeOptions.greedy()).ids(), r.ids());
            assertTrue(seen.get() >= 3);

            final CountDownLatch firstStep = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final Generator.Generation cancelled = generator.generate(SOURCE, 3, 6, DecodeOptions.greedy(),
                (row, position, id) ->
                {
                    firstStep.countDown();
                    try
                    {
                        release.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                });
            assertTrue(firstStep.await(60, TimeUnit.SECONDS));
            cancelled.cancel();
            release.countDown();
            // The decode stops before its next step: position 1.
            final CancellationException ex = assertThrows(CancellationException.class,
                () -> cancelled.result().get(60, TimeUnit.SECONDS));
            assertInstanceOf(CancellationException.class, ex.getCause());
            assertTrue(ex.getCause().getMessage().contains("position 1"), ex.getCause().getMessage());
        }
    }

    @Test
    void badInputFailsAloneAndTheNextRequestIsAnswered()
    {
        final Transformer tr = new Transformer(transformer, backend, served);
        final int[] outside = {3, 20};
        final var err = assertThrows(dev.switchyard.wire.BadInputException.class, () ->
            Decoding.decode(tr, outside, 1, 2, DecodeOptions.greedy(), StepListener.NONE, () -> false));
        assertTrue(err.getMessage().contains("outside the source vocabulary 0..19"), err.getMessage());
        assertEquals(decode(local, DecodeOptions.greedy()).ids().length, decode(served, DecodeOptions.greedy()).ids().length);
    }
}
