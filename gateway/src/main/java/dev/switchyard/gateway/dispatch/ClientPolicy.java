package dev.switchyard.gateway.dispatch;

import java.time.Duration;

import com.typesafe.config.Config;
import dev.switchyard.wire.BadInputException;

/**
 * How a gateway treats each client: how long a handshake may take, when a client that left is
 * released, and how much of the queue one client may hold, so that one large client cannot starve
 * the others.
 *
 * @param handshakeTimeout   a client that has not taken its welcome by then is given up
 * @param idleTimeout        a welcomed client whose answer channel stays disconnected this long is released
 * @param maxRequestsPerClient whole requests of one share (a client, or one caller it names) admitted
 *                           and not yet answered; more are refused as overloaded
 * @param maxTokensPerClient tokens of those requests; more are refused as overloaded
 * @param answerQueue        answers held for one client that is not taking them (back-pressured); its
 *                           held answers and admitted requests together stay within it (past that,
 *                           its stream is not read until it takes answers)
 * @param answerStallTimeout a client whose oldest held answer waits this long (or whose queue is
 *                           full when another answer is due) is dropped
 */
public record ClientPolicy(
    Duration handshakeTimeout, Duration idleTimeout, int maxRequestsPerClient, int maxTokensPerClient,
    int answerQueue, Duration answerStallTimeout)
{
    public static ClientPolicy defaults()
    {
        return new ClientPolicy(Duration.ofSeconds(10), Duration.ofSeconds(2), 256,
            1 << 18, 512, Duration.ofSeconds(2));
    }

    /** From {@code switchyard.gateway.client-*} of a resolved configuration. */
    public static ClientPolicy from(final Config config)
    {
        final ClientPolicy p = new ClientPolicy(
            config.getDuration("switchyard.gateway.client-handshake-timeout"),
            config.getDuration("switchyard.gateway.client-idle-timeout"),
            config.getInt("switchyard.gateway.max-requests-per-client"),
            config.getInt("switchyard.gateway.max-tokens-per-client"),
            config.getInt("switchyard.gateway.client-answer-queue"),
            config.getDuration("switchyard.gateway.client-answer-stall-timeout"));
        if (p.handshakeTimeout.isNegative() || p.handshakeTimeout.isZero() || p.idleTimeout.isNegative() ||
            p.idleTimeout.isZero() || p.answerStallTimeout.isNegative() || p.answerStallTimeout.isZero())
        {
            throw new BadInputException("switchyard.gateway.client-handshake-timeout, client-idle-timeout and " +
                "client-answer-stall-timeout must be positive durations");
        }
        if (p.maxRequestsPerClient < 1 || p.maxTokensPerClient < 1)
        {
            throw new BadInputException("switchyard.gateway.max-requests-per-client and max-tokens-per-client " +
                "must be at least 1");
        }
        if (p.answerQueue < 1 || p.answerQueue > 4096)
        {
            throw new BadInputException("switchyard.gateway.client-answer-queue must be 1..4096, got " + p.answerQueue);
        }
        return p;
    }
}
