package dev.switchyard.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.switchyard.cli.CliTest.assertUserError;
import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The configuration reference shipped in the distribution is the one the nodes use. */
class DistConfigTest
{
    private static final Path DIST_CONF = Path.of("..", "deploy", "src", "dist", "conf", "switchyard.conf");

    @Test
    void theDistributedFileParsesAndHoldsEveryDefault()
    {
        final Config dist = ConfigFactory.parseFile(DIST_CONF.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        final Config reference = ConfigFactory.parseResources(DistConfigTest.class.getClassLoader(), "reference.conf");
        assertEquals(reference.getConfig("switchyard").root().unwrapped(), dist.getConfig("switchyard").root().unwrapped());
    }

    @Test
    void aConfigurationFileThatDoesNotParseIsOneClearError(@TempDir final Path dir)
        throws Exception
    {
        final Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "switchyard { role = all\n");
        assertUserError(cli("serve", "--config", broken.toString()), "configuration file " + broken);
    }
}
