package dev.switchyard.node.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.testkit.Await;
import dev.switchyard.testkit.Tokens;
import dev.switchyard.wire.sbe.BlockStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 32 clients, each with a connection of its own over UDP, send large requests at once: each is
 * answered bit for bit or refused at once as overloaded, none times out, hangs or is answered twice;
 * a 33rd client's small request sent during the burst is served in its turn (clients take turns by
 * rows), and a client that comes next is served straight away.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConcurrentClientsTest
{
    static final int D = 16;
    static final int CLIENTS = 32;
    static final int ROWS = 6_000;
    static final int SMALL_ROWS = 100;

    @RegisterExtension
    static final EmbeddedNode NODE = new EmbeddedNode(EmbeddedNode.smallModel(D, 64), 1, 42,
        "switchyard.gateway.max-wait-us = 100\n" +
        "switchyard.gateway.max-queued-tokens = 130000\n" +
        "switchyard.gateway.max-tokens-per-client = 6000\n" +
        "switchyard.gateway.deadline-ms = 60000");

    @Test
    void everyClientIsAnsweredOrRefusedAtOnceAndTheNextIsServed() throws Exception
    {
        final EmbeddedSystem system = NODE.system();
        try (DataPlane clientPlane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
            4 << 20, 4 << 20, 1408)))
        {
            final List<SwitchyardClient> clients = new ArrayList<>();
            try
            {
                for (int c = 0; c < CLIENTS; c++)
                {
                    clients.add(SwitchyardClient.connect(clientPlane, system.gatewayAddress()));
                }
                // A 33rd client sends one small request while the burst is queued: it is served in
                // its turn, not after every large request that came before it.
                final SwitchyardClient late = SwitchyardClient.connect(clientPlane, system.gatewayAddress());
                clients.add(late);
                final float[] small = tokens(SMALL_ROWS, 99);
                final float[][] x = new float[CLIENTS][];
                for (int c = 0; c < CLIENTS; c++)
                {
                    x[c] = tokens(ROWS, c);
                }
                final CountDownLatch go = new CountDownLatch(1);
                final List<CompletableFuture<InferAnswer>> answers = new ArrayList<>();
                final long[] latencyNs = new long[CLIENTS];
                for (int c = 0; c < CLIENTS; c++)
                {
                    final int client = c;
                    answers.add(CompletableFuture.supplyAsync(() ->
                    {
                        await(go);
                        final long start = System.nanoTime();
                        final InferAnswer a = clients.get(client)
                            .infer(x[client], ROWS, null, false, RequestOptions.exact()).join();
                        latencyNs[client] = System.nanoTime() - start;
                        return a;
                    }, command -> new Thread(command, "client-" + client).start()));
                }
                final long answersBefore = gatewayAnswers(system);
                final long undeliveredBefore = system.metrics().answersUndelivered.get();
                final long givenUpBefore = system.metrics().clientsGivenUp.get();
                final long queuedBefore = system.metrics().tokensIn.get();
                go.countDown();
                Await.until(() -> system.metrics().tokensIn.get() - queuedBefore >= 10L * ROWS, Duration.ofSeconds(60),
                    () -> "the burst was not taken in");
                final long smallStart = System.nanoTime();
                final InferAnswer smallAnswer = late.infer(small, SMALL_ROWS, null, false, RequestOptions.exact())
                    .get(60, TimeUnit.SECONDS);
                final long smallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - smallStart);
                assertEquals(AnswerStatus.OK, smallAnswer.status(), smallAnswer.detail());
                assertArrayEquals(LocalReference.run(NODE.model(), 0, small, SMALL_ROWS, null).y(), smallAnswer.output());
                int answered = 0;
                int overloaded = 0;
                for (int c = 0; c < CLIENTS; c++)
                {
                    final InferAnswer a = answers.get(c).get(150, TimeUnit.SECONDS);
                    if (a.status() == AnswerStatus.OK)
                    {
                        answered++;
                        assertArrayEquals(LocalReference.run(NODE.model(), 0, x[c], ROWS, null).y(), a.output(),
                            "client " + c);
                    }
                    else
                    {
                        assertEquals(AnswerStatus.OVERLOADED, a.status(), "client " + c + ": " + a.detail());
                        overloaded++;
                    }
                }
                // Exactly once, counted at the gateway: one answer per message sent (a refused part
                // ends its request at once; the gateway still answers the others), all delivered.
                final int parts = (ROWS + late.maxRequestRows() - 1) / late.maxRequestRows();
                final long messages = (long)CLIENTS * parts + 1;
                awaitSettled(system, answersBefore, messages);
                assertEquals(messages, gatewayAnswers(system) - answersBefore, "answers for " + messages + " messages");
                assertEquals(0, system.metrics().answersUndelivered.get() - undeliveredBefore, "answers undelivered");
                assertEquals(0, system.metrics().clientsGivenUp.get() - givenUpBefore, "clients given up");
                final long[] answeredNs = new long[answered];
                for (int c = 0, k = 0; c < CLIENTS; c++)
                {
                    if (answers.get(c).join().status() == AnswerStatus.OK)
                    {
                        answeredNs[k++] = latencyNs[c];
                    }
                }
                Arrays.sort(answeredNs);
                final long[] sorted = latencyNs.clone();
                Arrays.sort(sorted);
                final long nextStart = System.nanoTime();
                try (SwitchyardClient next = SwitchyardClient.connect(clientPlane, system.gatewayAddress()))
                {
                    final InferAnswer a = next.infer(small, SMALL_ROWS, null, false, RequestOptions.exact()).join();
                    assertEquals(AnswerStatus.OK, a.status(), a.detail());
                    assertArrayEquals(LocalReference.run(NODE.model(), 0, small, SMALL_ROWS, null).y(), a.output());
                }
                final long nextMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nextStart);
                final long answeredP50Ms = TimeUnit.NANOSECONDS.toMillis(answeredNs[answered / 2]);
                System.out.println(CLIENTS + " clients of " + ROWS + " tokens: " + answered + " answered, " +
                    overloaded + " overloaded, p50 " + TimeUnit.NANOSECONDS.toMillis(sorted[CLIENTS / 2]) +
                    " ms, p99 " + TimeUnit.NANOSECONDS.toMillis(sorted[CLIENTS - 1]) + " ms (answered: p50 " +
                    answeredP50Ms + " ms); a small request during the burst " + smallMs + " ms; the next client " +
                    nextMs + " ms");
                assertTrue(answered > 0, "no client was answered");
                for (final SwitchyardClient client : clients)
                {
                    assertEquals(0, client.unmatchedAnswers(), "an answer to no request (or a second one)");
                }
                // Served in its turn, ahead of the burst that came before it (FairTurnsTest measures
                // the turn itself, with the intake out of the way).
                assertTrue(smallMs < answeredP50Ms, "a small request during the burst waited " + smallMs +
                    " ms; the burst's answered requests " + answeredP50Ms + " ms");
                assertTrue(nextMs < 5_000, "the next client waited " + nextMs + " ms");
            }
            finally
            {
                clients.forEach(SwitchyardClient::close);
            }
        }
    }

    /** Answers the gateway has sent, every status. */
    static long gatewayAnswers(final EmbeddedSystem system)
    {
        long sum = 0;
        for (final BlockStatus status : BlockStatus.values())
        {
            sum += status == BlockStatus.NULL_VAL ? 0 : system.metrics().answers.get(status);
        }
        return sum;
    }

    /**
     * Waits until the gateway has answered {@code messages} messages since it had answered {@code answersBefore} and
     * holds no request any more: then it has nothing left to answer, and a count above {@code messages} is an answer
     * sent twice.
     */
    static void awaitSettled(final EmbeddedSystem system, final long answersBefore, final long messages)
    {
        Await.until(() -> gatewayAnswers(system) - answersBefore >= messages &&
            system.metrics().queuedRequests.get() == 0, Duration.ofSeconds(60),
            () -> (gatewayAnswers(system) - answersBefore) + " answers for " + messages + " messages, " +
                system.metrics().queuedRequests.get() + " requests still queued");
    }

    static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    static float[] tokens(final int rows, final long seed)
    {
        return Tokens.gaussian(rows, D, seed);
    }
}
