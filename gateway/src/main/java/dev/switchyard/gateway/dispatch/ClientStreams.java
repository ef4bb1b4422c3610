package dev.switchyard.gateway.dispatch;

import java.util.function.Consumer;

import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;

/**
 * Reads the clients' request streams one image (one sending client) at a time, each at most as far
 * as {@link ClientIntake#fragmentsAllowed} lets it: a client whose answers pile up untaken is not
 * read until it takes some, so its requests wait in its own stream (back-pressuring it) rather than
 * being taken in and their answers lost. Every image gets its share of a pass, whatever its place,
 * and passes start at a different image each time.
 */
final class ClientStreams implements Consumer<Image>
{
    private static final int MIN_SHARE = 16;

    private final ClientIntake intake;
    private FragmentHandler handler;
    private int share;
    private int left;
    private int rotation;
    private int first;
    private int last = Integer.MAX_VALUE;
    private int index;

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
        // Each pass starts at the next image, so that no image is always last: from it to the end,
        // then from the first up to it (no allocation: this object is the visitor).
        first = rotation % images;
        rotation = first + 1;
        index = 0;
        subscription.forEachImage(this);
        last = first;
        first = 0;
        index = 0;
        subscription.forEachImage(this);
        last = Integer.MAX_VALUE;
        handler = null;
        return limit - left;
    }

    @Override
    public void accept(final Image image)
    {
        final int i = index++;
        if (i < first || i >= last || left <= 0 || image.isClosed())
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
