package dev.switchyard.gateway.dispatch;

import java.util.function.Consumer;

import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;

/**
 * Reads the clients' request streams one image (one sending client) at a time, each at most as far
 * as {@link ClientIntake#fragmentsAllowed} lets it: a client whose answers pile up untaken is not
 * read until it takes some, so its requests wait in its own stream (back-pressuring it) rather than
 * being taken in and their answers lost. Every image gets its share of a pass, whatever its place.
 */
final class ClientStreams implements Consumer<Image>
{
    private static final int MIN_SHARE = 16;

    private final ClientIntake intake;
    private FragmentHandler handler;
    private int share;
    private int left;

    ClientStreams(final ClientIntake intake)
    {
        this.intake = intake;
    }

    /** Polls every image of {@code subscription} into {@code assembler}, up to {@code limit} fragments in all. */
    int poll(final Subscription subscription, final FragmentHandler assembler, final int limit)
    {
        final int images = subscription.imageCount();
        if (images == 0)
        {
            return 0;
        }
        handler = assembler;
        share = Math.max(MIN_SHARE, limit / images);
        left = limit;
        subscription.forEachImage(this);  // no allocation: this object is the visitor
        handler = null;
        return limit - left;
    }

    @Override
    public void accept(final Image image)
    {
        if (left <= 0 || image.isClosed())
        {
            return;
        }
        final int allowed = intake.fragmentsAllowed(image.sessionId(), Math.min(share, left));
        if (allowed > 0)
        {
            left -= image.poll(handler, allowed);
        }
    }
}
