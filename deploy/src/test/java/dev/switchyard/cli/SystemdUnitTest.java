package dev.switchyard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.node.system.NodeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The systemd unit starts the distribution's launcher with arguments the real command line takes,
 * stops it with SIGTERM (a graceful leave) and waits long enough for Pekko's coordinated shutdown,
 * and does not restart a node whose configuration is wrong.
 */
class SystemdUnitTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path UNIT = ROOT.resolve("deploy/systemd/switchyard@.service");
    private static final Path DIST = ROOT.resolve("deploy/src/dist");

    @TempDir
    Path dir;

    /** Key to values of the unit's [Service] section (a key may repeat). */
    private static Map<String, List<String>> service() throws IOException
    {
        final Map<String, List<String>> out = new LinkedHashMap<>();
        String section = "";
        for (final String raw : Files.readAllLines(UNIT))
        {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            if (line.startsWith("["))
            {
                section = line;
                continue;
            }
            final int eq = line.indexOf('=');
            if (section.equals("[Service]") && eq > 0)
            {
                out.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
            }
        }
        return out;
    }

    private static String one(final Map<String, List<String>> unit, final String key)
    {
        final List<String> values = unit.get(key);
        assertTrue(values != null && values.size() == 1, "[Service] " + key + " must be set once: " + values);
        return values.get(0);
    }

    @Test
    void startsTheLauncherWithArgumentsTheCliTakes() throws IOException
    {
        final String[] exec = one(service(), "ExecStart").split("\\s+");
        assertTrue(exec[0].startsWith("/opt/switchyard/"), "ExecStart runs " + exec[0]);
        final Path launcher = DIST.resolve(exec[0].substring("/opt/switchyard/".length()));
        assertTrue(Files.isRegularFile(launcher) && Files.isExecutable(launcher),
            exec[0] + " is not an executable of the distribution");

        // The instance's configuration file: a reference copy, as the README's recipe makes it.
        final Path conf = dir.resolve("experts.conf");
        Files.copy(DIST.resolve("conf/switchyard.conf"), conf);
        final List<String> args = new ArrayList<>();
        for (int i = 1; i < exec.length; i++)
        {
            args.add(exec[i].contains("%i") ? conf.toString() : exec[i]);
        }
        CommandLine.ParseResult result = Main.commandLine().parseArgs(args.toArray(String[]::new));
        while (result.subcommand() != null)
        {
            result = result.subcommand();
        }
        assertTrue(result.commandSpec().userObject() instanceof ServeCommand, "ExecStart does not serve: " + args);
        final Config flags = ((ServeCommand)result.commandSpec().userObject()).configuration()
            .withValue("switchyard.model", com.typesafe.config.ConfigValueFactory.fromAnyRef(dir.toString()));
        NodeSettings.from(flags.withFallback(ConfigFactory.defaultReference()).resolve());
    }

    @Test
    void sigtermIsAGracefulLeaveWithTimeForTheCoordinatedShutdown() throws IOException
    {
        final Map<String, List<String>> unit = service();
        assertEquals("SIGTERM", one(unit, "KillSignal"));
        final Config shutdown = ConfigFactory.parseResources(SystemdUnitTest.class.getClassLoader(), "switchyard-pekko.conf")
            .withFallback(ConfigFactory.defaultReference()).resolve().getConfig("pekko.coordinated-shutdown");
        final long defaultTimeout = shutdown.getDuration("default-phase-timeout").toSeconds();
        long total = 0;
        for (final String phase : shutdown.getConfig("phases").root().keySet())
        {
            final String key = "phases.\"" + phase + "\".timeout";
            total += shutdown.hasPath(key) ? shutdown.getDuration(key).toSeconds() : defaultTimeout;
        }
        final long stop = Long.parseLong(one(unit, "TimeoutStopSec"));
        assertTrue(stop > total, "TimeoutStopSec " + stop + " does not cover the coordinated shutdown's " + total + " s");
    }

    @Test
    void restartsARemovedNodeButNotABadConfiguration() throws IOException
    {
        final Map<String, List<String>> unit = service();
        assertEquals("on-failure", one(unit, "Restart"));
        // Exit status 2 is the CLI's user error (Main): restarting cannot fix it.
        assertEquals("2", one(unit, "RestartPreventExitStatus"));
    }
}
