package dev.switchyard.node.placement;

import java.nio.file.Path;
import java.util.List;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        final List<String> said;
        try (MembershipLog log = new MembershipLog())
        {
            EmbeddedSystem.start(model).close();
            said = log.messages();
        }
        assertEquals(List.of(), said.stream().filter(m -> m.startsWith("leaving")).toList());
        // The log was heard: the node said which experts it served.
        assertTrue(said.stream().anyMatch(m -> m.startsWith("first expert served")), said.toString());
    }
}
