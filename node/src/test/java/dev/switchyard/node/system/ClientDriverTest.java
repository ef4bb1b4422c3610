package dev.switchyard.node.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.testkit.Tokens;
import dev.switchyard.wire.BadInputException;
import dev.switchyard.wire.frame.WireLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which media driver a client uses (a running one when there is one, else its own) and the terms it
 * sends on: sized from the gateway's welcome, so that the largest request the gateway takes fits
 * one message, and a longer one is split between groups, answered bit-exact.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientDriverTest
{
    static final int D = 16;
    static final int G = 8;
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    static Path dir;
    static ModelDirectory model;
    static EmbeddedSystem system;

    @BeforeAll
    static void start()
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        model = ModelDirectory.open(modelDir);
        system = EmbeddedSystem.start(modelDir, ConfigFactory.parseString("switchyard.gateway.max-wait-us = 100"));
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

    static float[] tokens(final int rows, final long seed)
    {
        return Tokens.gaussian(rows, D, seed);
    }

    @Test
    void aRunningDriverIsUsedAndTheClientsOwnOnlyWhenThereIsNone()
    {
        final String running = "/dev/shm/switchyard-client-driver-" + UUID.randomUUID();
        final String nothing = "/dev/shm/switchyard-client-none-" + UUID.randomUUID();
        try (DataPlane host = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, running, "backoff",
            1 << 20, 1 << 20, 1408)))
        {
            assertTrue(SwitchyardClient.driverRunningAt(running));
            try (SwitchyardClient client = SwitchyardClient.connect(system.gatewayAddress(), TIMEOUT,
                SwitchyardClient.Driver.AUTO, running))
            {
                assertFalse(client.embedsDriver(), "a driver runs at " + running + ": the client must use it");
                answeredBitExact(client, 5, 1);
            }
        }
        assertFalse(SwitchyardClient.driverRunningAt(nothing));
        try (SwitchyardClient client = SwitchyardClient.connect(system.gatewayAddress(), TIMEOUT,
            SwitchyardClient.Driver.AUTO, nothing))
        {
            assertTrue(client.embedsDriver(), "no driver runs at " + nothing + ": the client must start its own");
            answeredBitExact(client, 5, 2);
        }
        final BadInputException none = assertThrows(BadInputException.class, () -> SwitchyardClient.connect(
            system.gatewayAddress(), TIMEOUT, SwitchyardClient.Driver.EXTERNAL, nothing));
        assertEquals("no media driver is running at " + nothing, none.getMessage());
    }

    @Test
    void requestTermsCarryTheLargestRequestTheGatewayTakes()
    {
        try (SwitchyardClient client = SwitchyardClient.connect(system.gatewayAddress(), TIMEOUT,
            SwitchyardClient.Driver.EMBEDDED, null))
        {
            final int largest = client.maxRequestRows();
            assertEquals(0, largest % G, "messages hold whole groups");
            // The hello's 64 KiB term carries 8 KiB: the largest request needs the term the welcome sized.
            final long frame = WireLayout.requestFrameLength(largest, D, true);
            assertTrue(frame > 8 << 10, "the model's largest request is too small to tell: " + frame + " bytes");
            assertTrue(client.requestTermLength() / 8 >= frame,
                "term " + client.requestTermLength() + " does not carry a request of " + frame + " bytes");
            final float[] importance = new float[largest];
            java.util.Arrays.fill(importance, 1.0f);
            importance[3] = 0.5f;
            final float[] x = tokens(largest, 11);
            final InferAnswer whole = client.infer(x, largest, importance, false, RequestOptions.exact()).join();
            assertEquals(AnswerStatus.OK, whole.status(), whole.detail());
            assertArrayEquals(LocalReference.run(model, 0, x, largest, importance).y(), whole.output());
            // Longer than one message: split between groups, answered as one request.
            answeredBitExact(client, 2 * largest + G + 3, 12);
        }
    }

    static void answeredBitExact(final SwitchyardClient client, final int rows, final long seed)
    {
        final float[] x = tokens(rows, seed);
        final InferAnswer answer = client.infer(x, rows, null, false, RequestOptions.exact()).join();
        assertEquals(AnswerStatus.OK, answer.status(), answer.detail());
        assertArrayEquals(LocalReference.run(model, 0, x, rows, null).y(), answer.output());
    }
}
