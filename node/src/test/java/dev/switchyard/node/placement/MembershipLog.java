package dev.switchyard.node.placement;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchyard.experts.actor.ExpertHost;

/** What the nodes say on the membership log while this is open, heard at INFO whatever the test's logging. */
final class MembershipLog implements AutoCloseable
{
    private final Logger logger = (Logger)ExpertHost.MEMBERSHIP;
    private final ListAppender<ILoggingEvent> said = new ListAppender<>();
    private final Level level;

    MembershipLog()
    {
        said.start();
        level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addAppender(said);
    }

    /** The messages heard so far, oldest first. */
    List<String> messages()
    {
        synchronized (said)  // the appender appends holding its own lock
        {
            return said.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close()
    {
        logger.detachAppender(said);
        logger.setLevel(level);
    }
}
