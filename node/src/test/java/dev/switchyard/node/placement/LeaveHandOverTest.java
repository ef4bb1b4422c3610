package dev.switchyard.node.placement;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.node.cluster.LoopbackNodeConfig;
import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.testkit.Await;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An experts node that leaves before any traffic was measured hands every copy over and is given
 * none back. Placement then places by count, and a leaving node holds the fewest copies: counting it
 * sent copies back to it while it handed them over, and its leave took up to half a minute.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeaveHandOverTest
{
    @TempDir
    Path dir;

    @Test
    void aLeavingNodeIsGivenNoCopyAndHandsEveryOneOver() throws Exception
    {
        final Path model = dir.resolve("model");
        ModelGenerator.generate(model, new ModelConfig(8, 16, 4, Activation.RELU, true,
            new RoutingConfig(8, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 5);
        SwitchyardNode seed = null;
        SwitchyardNode member = null;
        try (MembershipLog log = new MembershipLog())
        {
            seed = SwitchyardNode.start(LoopbackNodeConfig.of(model, "all", null, ""));
            member = SwitchyardNode.start(LoopbackNodeConfig.of(model, "experts", seed.clusterAddress(), ""));
            final String servedThere = " served by pekko://switchyard@" + member.clusterAddress();
            // By count, two of the four experts move there: the leave starts once both have, so that no
            // move decided before it is still under way.
            Await.until(() -> log.messages().stream().filter(m -> m.endsWith(servedThere)).distinct().count() == 2,
                Duration.ofSeconds(60), () -> "two experts never moved to the second node: " + log.messages());

            final long leaveStart = System.nanoTime();
            member.close();
            final long leaveMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - leaveStart);
            member = null;

            final List<String> all = log.messages();
            final int handOver = all.indexOf("leaving: handing this node's experts over before it leaves the cluster");
            assertTrue(handOver >= 0, "the node left without a hand-over: " + all);
            final List<String> during = all.subList(handOver, all.size());
            assertEquals(List.of(), during.stream().filter(m -> m.endsWith(servedThere)).toList(),
                "copies placed on the node while it left");
            assertTrue(during.stream().anyMatch(m -> m.startsWith("leaving: every expert handed over")), during.toString());
            assertTrue(leaveMs < 15_000, "the leave took " + leaveMs + " ms");
        }
        finally
        {
            CloseHelper.quietCloseAll(member, seed);
        }
    }
}
