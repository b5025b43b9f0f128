package dev.depthcast.loadtest;

/** A run that could not be done (or not completed), with the exit code the command returns. */
public final class LoadTestException extends Exception {

    /** The server could not be reached at all. */
    public static final int UNREACHABLE = 3;
    /** The server refused a session (e.g. 503 with --max-clients reached). */
    public static final int REFUSED = 4;
    /** A client could not connect (negotiation, ICE) or its connection failed. */
    public static final int CLIENT_FAILED = 5;
    /** The run completed but some client got no results in the measured window. */
    public static final int STARVED = 6;
    /** The server needs a token (401) and none, or a wrong one, was given. */
    public static final int UNAUTHORIZED = 7;

    private final int exitCode;

    public LoadTestException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
