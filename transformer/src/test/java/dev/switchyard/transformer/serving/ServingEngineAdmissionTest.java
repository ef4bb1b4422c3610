package dev.switchyard.transformer.serving;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.testkit.TestData;
import dev.switchyard.transformer.decoder.CheckpointDecoder;
import dev.switchyard.transformer.decoder.GenerateOptions;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission (running sequences, token budget, bounded queue, overload), cancellation at step boundaries and
 * bad requests. The engine thread is held inside a listener (a latch, no sleeps) so the states are exact.
 */
class ServingEngineAdmissionTest
{
    private Checkpoint checkpoint;

    @BeforeEach
    void open()
    {
        checkpoint = Checkpoint.open(TestData.checkpoints().resolve("mixtral"));
    }

    @AfterEach
    void close()
    {
        checkpoint.close();
    }

    private ServingEngine engine(final EngineLimits limits)
    {
        // No EOS: every sequence runs to its length, so the counts below are exact.
        return new ServingEngine(CheckpointDecoder.load(checkpoint, ComputeBackends.scalar(), null), new int[0],
            limits, EngineObserver.NONE);
    }

    private static SequenceRequest request(final int promptLength, final int maxNew)
    {
        return new SequenceRequest(new int[promptLength], GenerateOptions.greedy(maxNew), 0, false);
    }

    @Test
    void fullBatchQueuesThenRefusesAndQueuedRequestsRunWhenRoomFrees() throws Exception
    {
        try (ServingEngine engine = engine(new EngineLimits(2, 1000, 1)))
        {
            final Held a = new Held();
            final Recorder b = new Recorder();
            final Recorder c = new Recorder();
            assertInstanceOf(Admission.Accepted.class, engine.submit(request(3, 5), a));
            a.entered.await(30, TimeUnit.SECONDS); // the engine thread is inside a's first token
            assertInstanceOf(Admission.Accepted.class, engine.submit(request(3, 5), b));
            assertInstanceOf(Admission.Accepted.class, engine.submit(request(3, 5), c)); // queued
            final Admission d = engine.submit(request(3, 5), new Recorder());
            assertTrue(d instanceof Admission.Overloaded o && o.reason().contains("2 sequences running and 1 " +
                "waiting"), d.toString());
            a.release.countDown();
            assertEquals(new End(End.Reason.LENGTH, 3, 5, null), a.awaitEnd());
            assertEquals(new End(End.Reason.LENGTH, 3, 5, null), b.awaitEnd());
            assertEquals(new End(End.Reason.LENGTH, 3, 5, null), c.awaitEnd());
        }
    }

    @Test
    void tokenBudgetHoldsBackWhatDoesNotFit() throws Exception
    {
        try (ServingEngine engine = engine(new EngineLimits(8, 12, 4)))
        {
            final Held a = new Held();
            final Recorder b = new Recorder();
            engine.submit(request(4, 4), a);
            a.entered.await(30, TimeUnit.SECONDS);
            engine.submit(request(4, 4), b); // 8 + 8 > 12: waits although the batch has room
            assertEquals(0, b.ids().length);
            assertTrue(!b.end.isDone());
            a.release.countDown();
            a.awaitEnd();
            assertEquals(End.Reason.LENGTH, b.awaitEnd().reason());
            final BadInputException tooLong = assertThrows(BadInputException.class,
                () -> engine.submit(request(10, 3), new Recorder()));
            assertTrue(tooLong.getMessage().contains("exceed the engine's token budget 12"), tooLong.getMessage());
        }
    }

    @Test
    void cancelledSequencesEndAtTheNextStepAndFreeTheirRoom() throws Exception
    {
        try (ServingEngine engine = engine(new EngineLimits(1, 1000, 2)))
        {
            final Held a = new Held();
            final Recorder waiting = new Recorder();
            final Recorder next = new Recorder();
            final SequenceHandle ha = ((Admission.Accepted)engine.submit(request(2, 50), a)).handle();
            a.entered.await(30, TimeUnit.SECONDS);
            final SequenceHandle hw = ((Admission.Accepted)engine.submit(request(2, 50), waiting)).handle();
            engine.submit(request(2, 4), next);
            hw.cancel();
            ha.cancel();
            a.release.countDown();
            assertEquals(new End(End.Reason.CANCELLED, 2, 1, null), a.awaitEnd(), "one id, then the boundary");
            assertEquals(new End(End.Reason.CANCELLED, 2, 0, null), waiting.awaitEnd());
            assertEquals(new End(End.Reason.LENGTH, 2, 4, null), next.awaitEnd(), "the freed room was used");
        }
    }

    @Test
    void idsOutsideTheVocabularyAreRefused()
    {
        try (ServingEngine engine = engine(new EngineLimits(1, 100, 1)))
        {
            final BadInputException ex = assertThrows(BadInputException.class,
                () -> engine.submit(new SequenceRequest(new int[] {1, 64}, GenerateOptions.greedy(2), 0, false),
                    new Recorder()));
            assertEquals("prompt: id 64 is outside the vocabulary 0..63", ex.getMessage());
        }
    }

    @Test
    void closingEndsWhatIsLeft() throws Exception
    {
        final Held a = new Held();
        final Recorder queued = new Recorder();
        try (ServingEngine engine = engine(new EngineLimits(1, 1000, 1)))
        {
            engine.submit(request(2, 50), a);
            a.entered.await(30, TimeUnit.SECONDS);
            engine.submit(request(2, 50), queued);
            a.release.countDown();
        }
        assertEquals(End.Reason.CANCELLED, a.awaitEnd().reason());
        assertEquals(End.Reason.CANCELLED, queued.awaitEnd().reason());
    }

    /** Holds the engine thread inside its first token until released. */
    private static final class Held implements SequenceListener
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final Recorder recorder = new Recorder();

        @Override
        public void token(final Token token)
        {
            recorder.token(token);
            entered.countDown();
            try
            {
                release.await(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void end(final End end)
        {
            recorder.end(end);
        }

        End awaitEnd() throws Exception
        {
            return recorder.awaitEnd();
        }
    }
}
