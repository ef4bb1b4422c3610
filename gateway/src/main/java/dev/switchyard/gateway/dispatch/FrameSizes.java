package dev.switchyard.gateway.dispatch;

import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.WireLayout;

/**
 * How large the gateway's frames may be. Every block, request and answer must fit one data-plane
 * message, so a term too short for the model is refused when the gateway starts rather than on
 * its first group.
 *
 * @param maxBlockRows      rows of the fullest block one expert can get from one group
 * @param maxRequestRows    tokens of the largest request: whole groups, as many as fit one message
 * @param blockFrameLength  bytes of the largest block frame
 * @param answerFrameLength bytes of the largest answer frame, aligned
 */
record FrameSizes(int maxBlockRows, int maxRequestRows, int blockFrameLength, int answerFrameLength)
{
    /** Characters of an error detail an answer carries at most; longer ones are clipped. */
    static final int MAX_DETAIL = 256;

    static FrameSizes of(final ModelConfig config, final int maxMessage)
    {
        return of(config, maxMessage, 2);
    }

    /** @param layerEntries [layers] routing entries per token an answer of each layer carries */
    static FrameSizes of(final ModelConfig config, final int maxMessage, final int[] layerEntries)
    {
        int entries = 1;
        for (final int e : layerEntries)
        {
            entries = Math.max(entries, e);
        }
        return of(config, maxMessage, entries);
    }

    /** @param entries routing entries per token an answer carries */
    static FrameSizes of(final ModelConfig config, final int maxMessage, final int entries)
    {
        final int d = config.dModel();
        final int groupSize = config.routing().groupSize();
        final int maxBlockRows = config.routing().maxBlockRows(config.numExperts());
        if (WireLayout.blockFrameLength(maxBlockRows, d) > maxMessage)
        {
            throw new IllegalArgumentException("a block of " + maxBlockRows + " x " + d +
                " floats exceeds the largest data-plane message (" + maxMessage + " bytes): raise the term length");
        }
        // Requests and answers must each fit one message: whole groups per request, as many as fit,
        // so that a request split by its client is grouped exactly as it would be in one piece.
        final long fit = (maxMessage - WireLayout.MESSAGE_OVERHEAD) / WireLayout.perTokenMessageLength(d, entries);
        if (fit < groupSize)
        {
            throw new IllegalArgumentException("a group of " + groupSize + " tokens of " + d +
                " floats exceeds the largest data-plane message (" + maxMessage + " bytes): raise the term length");
        }
        final int maxRequestRows = (int)(fit / groupSize * groupSize);
        // A request may touch more groups than it fills: its rows can start part-way into a shared group.
        final int maxGroupsPerRequest = maxRequestRows / groupSize + 2;
        return new FrameSizes(
            maxBlockRows,
            maxRequestRows,
            (int)WireLayout.blockFrameLength(maxBlockRows, d),
            WireLayout.align((int)AnswerFrame.maxLength(maxRequestRows, d, maxGroupsPerRequest, MAX_DETAIL * 4,
                entries), 64));
    }

    static String clip(final String detail)
    {
        return detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL);
    }
}
