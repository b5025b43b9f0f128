package dev.depthcast.backend.tensorrt.build;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * What an engine build prints while it runs (a first build takes minutes): TensorRT's own
 * progress messages (its kINFO log: parsing, tactic timing, memory, "Engine generation completed
 * in ...") and the builder's steps, each with the time since the build began, plus a heartbeat
 * line when nothing was printed for {@link #QUIET_NANOS}. (bytedeco's {@code IProgressMonitor}
 * cannot be subclassed from Java — the preset gives it no constructor — so the log is the progress
 * source.) Pure, so it is tested with a fake clock.
 */
public final class BuildProgress {

    /** Silence after which {@link #heartbeat()} prints. */
    static final long QUIET_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final LongSupplier nanos;
    private final long start;
    private long lastLine;

    public BuildProgress(PrintStream out, LongSupplier nanos) {
        this.out = out;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
        this.lastLine = start;
    }

    public void note(String text) {
        long now = nanos.getAsLong();
        lastLine = now;
        out.printf(Locale.ROOT, "[%7.1f s] %s%n", (now - start) / 1e9, text);
        out.flush();
    }

    /** Called every second or so by a timer during the build; prints only after a quiet spell. */
    public void heartbeat() {
        if (nanos.getAsLong() - lastLine >= QUIET_NANOS) {
            note("still building");
        }
    }

    public double elapsedSeconds() {
        return (nanos.getAsLong() - start) / 1e9;
    }
}
