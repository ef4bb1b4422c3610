package dev.switchyard.node.system;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Goodput under overload: 16 clients send 20,000 tokens each at once (320,000 tokens) to a gateway
 * whose queue holds 131,072. Requests are admitted whole, so the six that fit are answered bit for
 * bit and the others are refused {@code overloaded} within a second; none is admitted in part and
 * then failed, and every message is answered exactly once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WholeRequestGoodputTest
{
    static final int D = 16;
    static final int CLIENTS = 16;
    static final int ROWS = 20_000;
    static final int QUEUE_TOKENS = 131_072;

    @RegisterExtension
    static final EmbeddedNode NODE = new EmbeddedNode(EmbeddedNode.smallModel(D, 64), 1, 42,
        "switchyard.gateway.max-queued-tokens = " + QUEUE_TOKENS + "\n" +
        // Room for a loaded 2-core machine: what is measured is admission, not speed.
        "switchyard.gateway.deadline-ms = 60000");

    @Test
    void theRequestsThatFitAreServedWholeAndTheOthersRefusedAtOnce() throws Exception
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
                final float[][] x = new float[CLIENTS][];
                for (int c = 0; c < CLIENTS; c++)
                {
                    x[c] = ConcurrentClientsTest.tokens(ROWS, 1000 + c);
                }
                // A gateway under overload has been serving: each client's first request is served
                // before the burst, so that the burst does not meet code still being compiled.
                final float[] warm = ConcurrentClientsTest.tokens(ROWS, 999);
                for (final SwitchyardClient client : clients)
                {
                    final InferAnswer a = client.infer(warm, ROWS, null, false, RequestOptions.exact())
                        .get(60, TimeUnit.SECONDS);
                    assertEquals(AnswerStatus.OK, a.status(), a.detail());
                }
                final long answersBefore = ConcurrentClientsTest.gatewayAnswers(system);
                final long sentBefore = clients.stream().mapToLong(SwitchyardClient::messagesSent).sum();
                final CountDownLatch go = new CountDownLatch(1);
                final long[] latencyNs = new long[CLIENTS];
                final List<CompletableFuture<InferAnswer>> answers = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++)
                {
                    final int client = c;
                    answers.add(CompletableFuture.supplyAsync(() ->
                    {
                        ConcurrentClientsTest.await(go);
                        final long start = System.nanoTime();
                        final CompletableFuture<InferAnswer> answer = clients.get(client)
                            .infer(x[client], ROWS, null, false, RequestOptions.exact());
                        // Timed from sending to the answer (a refusal may come before every part is sent).
                        final InferAnswer a = answer.whenComplete((r, ex) -> latencyNs[client] = System.nanoTime() - start)
                            .join();
                        return a;
                    }, command -> new Thread(command, "client-" + client).start()));
                }
                go.countDown();
                int answered = 0;
                int refused = 0;
                long slowestRefusalNs = 0;
                final long[] refusalNs = new long[CLIENTS];
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
                        assertEquals(AnswerStatus.OVERLOADED, a.status(), "client " + c + " failed: " + a.detail());
                        assertTrue(a.detail().startsWith("gateway queue is full"), a.detail());
                        refusalNs[refused++] = latencyNs[c];
                        slowestRefusalNs = Math.max(slowestRefusalNs, latencyNs[c]);
                    }
                }
                // Exactly once, counted at the gateway: one answer per message sent, none twice (the
                // parts of a refused request after its refusal came are not sent).
                final int parts = (ROWS + clients.getFirst().maxRequestRows() - 1) / clients.getFirst().maxRequestRows();
                final long messages = clients.stream().mapToLong(SwitchyardClient::messagesSent).sum() - sentBefore;
                ConcurrentClientsTest.awaitSettled(system, answersBefore, messages);
                assertEquals(messages, ConcurrentClientsTest.gatewayAnswers(system) - answersBefore,
                    "answers for " + messages + " messages");
                for (final SwitchyardClient client : clients)
                {
                    assertEquals(0, client.unmatchedAnswers(), "an answer to no request (or a second one)");
                }
                final long[] sortedRefusals = Arrays.copyOf(refusalNs, refused);
                Arrays.sort(sortedRefusals);
                System.out.println(CLIENTS + " clients x " + ROWS + " tokens, queue " + QUEUE_TOKENS + " tokens, " +
                    parts + " messages each (" + messages + " sent): " + answered + " answered, " + refused + " refused overloaded, " +
                    (CLIENTS - answered - refused) + " failed; refusal latency median " +
                    (refused == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(sortedRefusals[refused / 2])) + " ms, max " +
                    TimeUnit.NANOSECONDS.toMillis(slowestRefusalNs) + " ms");
                assertTrue(answered >= QUEUE_TOKENS / ROWS, answered + " answered: the queue holds " +
                    QUEUE_TOKENS / ROWS + " whole requests");
                assertEquals(CLIENTS, answered + refused, "none failed any other way");
                assertTrue(slowestRefusalNs < TimeUnit.SECONDS.toNanos(1),
                    "a refusal took " + TimeUnit.NANOSECONDS.toMillis(slowestRefusalNs) + " ms");
            }
            finally
            {
                clients.forEach(SwitchyardClient::close);
            }
        }
    }
}
