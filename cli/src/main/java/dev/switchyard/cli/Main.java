package dev.switchyard.cli;

import java.io.PrintWriter;

import dev.switchyard.wire.BadInputException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code switchyard} command line. A user error is one line on stderr and exit status 2; an
 * unexpected failure is one line too (with the stack trace only when SWITCHYARD_DEBUG is set).
 */
@Command(
    name = "switchyard",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Serves Mixture-of-Experts layers: exact Mesh TensorFlow top-2 routing, experts on a Pekko cluster.",
    subcommands = {
        ModelCommand.class,
        InferCommand.class,
        DemoCommand.class,
        ServeCommand.class,
        ClusterCommand.class,
        BenchCommand.class,
        RecordingsCommand.class,
        ReplayCommand.class,
        LoadgenCommand.class,
        ScoreCommand.class,
        GenerateCommand.class,
        TokenizeCommand.class,
    })
public final class Main implements Runnable
{
    public static final int EXIT_USER_ERROR = 2;
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(final String[] args)
    {
        // Bind the logging backend before any thread logs, so that no early log call is queued and
        // replayed with SLF4J's warning on the console of a command like `cluster status`.
        LoggerFactory.getILoggerFactory();
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit status (tests call this). */
    public static int run(final String... args)
    {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::onExecutionException);
        cli.setParameterExceptionHandler(Main::onParameterException);
        return cli;
    }

    private static int onExecutionException(
        final Exception ex, final CommandLine cmd, final CommandLine.ParseResult parseResult)
    {
        final PrintWriter err = cmd.getErr();
        if (ex instanceof BadInputException)
        {
            err.println("switchyard: " + ex.getMessage());
            err.flush();
            return EXIT_USER_ERROR;
        }
        err.println("switchyard: failed: " + ex);
        if (System.getenv("SWITCHYARD_DEBUG") != null)
        {
            ex.printStackTrace(err);
        }
        else
        {
            err.println("switchyard: set SWITCHYARD_DEBUG=1 for the stack trace");
        }
        err.flush();
        return EXIT_FAILURE;
    }

    private static int onParameterException(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine cmd = ex.getCommandLine();
        final PrintWriter err = cmd.getErr();
        err.println("switchyard: " + ex.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return EXIT_USER_ERROR;
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"switchyard " + (v == null ? "development build" : v)};
        }
    }
}
