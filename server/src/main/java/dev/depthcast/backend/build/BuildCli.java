package dev.depthcast.backend.build;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * How {@code scripts/build-engine.sh} runs a backend's build command: every bad input ends in one
 * line naming the tool, exit 2 for a bad argument and 1 for anything else, as the server's CLI does.
 */
public final class BuildCli {

    private BuildCli() {}

    public static int run(Object command, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("build-engine: " + ex.getMessage() + "; --help lists every flag");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                c.getErr().println("build-engine: " + e.getMessage());
                return 2;
            }
            c.getErr().println("build-engine: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }
}
