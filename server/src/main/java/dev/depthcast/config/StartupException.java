package dev.depthcast.config;

/**
 * A start-up failure found where it happened (a port in use, a model ONNX Runtime refuses, a
 * backend this machine cannot run), carrying the one line the command prints for it — what went
 * wrong and what to do — and the exit status. {@code StartupErrors} maps it by type alone.
 */
public class StartupException extends RuntimeException {

    /** Exit status for input the user can fix: a flag, a file, a port. */
    public static final int EXIT_BAD_INPUT = 2;

    private final int exitCode;

    /** A failure the user can fix (exit status {@link #EXIT_BAD_INPUT}); {@code line} names the input and the fix. */
    public StartupException(String line, Throwable cause) {
        this(line, EXIT_BAD_INPUT, cause);
    }

    public StartupException(String line, int exitCode, Throwable cause) {
        super(line, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
