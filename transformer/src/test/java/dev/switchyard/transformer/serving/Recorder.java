package dev.switchyard.transformer.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Keeps a sequence's tokens and end; lets a test wait until it has produced some tokens. */
final class Recorder implements SequenceListener
{
    final List<Token> tokens = new ArrayList<>(); // guarded by this
    final CompletableFuture<End> end = new CompletableFuture<>();

    @Override
    public synchronized void token(final Token token)
    {
        tokens.add(token);
        notifyAll();
    }

    @Override
    public synchronized void end(final End e)
    {
        end.complete(e);
        notifyAll();
    }

    /** Waits until n tokens have come or the sequence has ended. */
    synchronized void awaitTokens(final int n) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (tokens.size() < n && !end.isDone())
        {
            final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0)
            {
                throw new AssertionError("no token " + n + " within 30 s");
            }
            wait(left);
        }
    }

    End awaitEnd() throws Exception
    {
        return end.get(30, TimeUnit.SECONDS);
    }

    synchronized int[] ids()
    {
        return tokens.stream().mapToInt(Token::id).toArray();
    }
}
