package dev.switchyard.node.system;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.testkit.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocks larger than one fragment of IPC (64 KiB: more than 16 tokens of d_model 1024) are gathered
 * straight into fragments claimed one by one and put together by the expert from them; requests and
 * answers of 1 MiB are read from their fragments and answers written into them; and the layer's answers
 * keep the bits of the layer in process, request after request (the terms' ends included).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WideBlocksTest
{
    static final int D = 1024;
    static final int G = 64;

    @TempDir
    Path dir;

    @Test
    void blocksOfSeveralFragmentsAreClaimedInPlaceBitForBit()
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        try (ModelDirectory model = ModelDirectory.open(modelDir);
             EmbeddedSystem system = EmbeddedSystem.start(modelDir,
                 ConfigFactory.parseString("switchyard.gateway.max-wait-us = 100")))
        {
            final int rows = 4 * G;
            long sent = 0;
            for (int i = 0; i < 40; i++)  // 40 requests of 1 MiB: past the end of a term
            {
                final float[] x = Tokens.gaussian(rows, D, 50 + i);
                final InferAnswer a = system.client().infer(x, rows, null, false, RequestOptions.exact()).join();
                assertEquals(AnswerStatus.OK, a.status(), a.detail());
                assertArrayEquals(LocalReference.run(model, 0, x, rows, null).y(), a.output(), "request " + i);
                sent = system.metrics().blocksInFragments.get();
            }
            // Claimed in fragments where the term and the window have room (nearly always: a block at a
            // term's end, or behind a window not yet moved on, is offered whole), and read from them always.
            assertTrue(sent >= 40 * 4, "blocks gathered into claimed fragments: " + sent);
            // Each request goes as messages of at most the gateway's request rows; every one is read in place.
            final long messages = system.metrics().requestsInFragments.get();
            assertTrue(messages >= 40, "request messages read from their fragments: " + messages);
            assertEquals(messages, system.client().answersReadInPlace(), "their answers, read from their fragments");
            assertTrue(system.metrics().answersInFragments.get() >= messages / 2, "answers written into fragments");
        }
    }
}
