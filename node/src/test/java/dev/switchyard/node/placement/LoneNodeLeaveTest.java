package dev.switchyard.node.placement;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchyard.experts.actor.ExpertHost;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.node.system.EmbeddedSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node alone in its cluster has no one to hand its experts to: closing it does not run the
 * leave hand-over (which would wait for moves that never come), so a one-shot embedded run exits
 * at once.
 */
class LoneNodeLeaveTest
{
    @TempDir
    Path dir;

    @Test
    void aNodeWithNoPeerLeavesWithoutAHandOver()
    {
        final Path model = dir.resolve("model");
        ModelGenerator.generate(model, new ModelConfig(16, 32, 4, Activation.RELU, true,
            new RoutingConfig(16, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 3);
        final Logger membership = (Logger)ExpertHost.MEMBERSHIP;
        final ListAppender<ILoggingEvent> said = new ListAppender<>();
        said.start();
        final Level level = membership.getLevel();
        membership.setLevel(Level.INFO);
        membership.addAppender(said);
        try
        {
            EmbeddedSystem.start(model).close();
        }
        finally
        {
            membership.detachAppender(said);
            membership.setLevel(level);
        }
        final List<String> leaving = said.list.stream().map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.startsWith("leaving")).collect(Collectors.toList());
        assertEquals(List.of(), leaving);
        // The log was heard: the node said which experts it served.
        assertEquals(true, said.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("first expert served")),
            said.list.toString());
    }
}
