package dev.depthcast.backend.tensorrt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The device probe, run at most once per JVM ({@link #system()}): first a pure-Java fast
 * negative — neither /dev/nvidiactl nor /proc/driver/nvidia/version ⇒ no driver, and no native
 * class is loaded at all — then the native stages ({@link NativeProbe}) in try/catch(Throwable).
 * The control flow is {@link #probe}, over injectable file checks and native stages, for tests.
 */
public final class GpuProbe {

    public static final String NVIDIACTL = "/dev/nvidiactl";
    public static final String PROC_VERSION = "/proc/driver/nvidia/version";

    private GpuProbe() {}

    /**
     * @param exists file check (the real one: {@link Files#exists})
     * @param nativeStages the JCuda/TensorRT stages, called only when a driver node exists
     */
    public static ProbeFacts probe(Predicate<String> exists, Supplier<ProbeFacts> nativeStages) {
        if (!exists.test(NVIDIACTL) && !exists.test(PROC_VERSION)) {
            return ProbeFacts.noDriverNodes();
        }
        try {
            return nativeStages.get();
        } catch (Throwable t) {
            return ProbeFacts.driverError("the CUDA probe failed (" + describe(t) + ")");
        }
    }

    private static final class Once {
        static final ProbeFacts FACTS = probe(p -> Files.exists(Path.of(p)), GpuProbe::nativeStages);
    }

    private static ProbeFacts nativeStages() {
        return NativeProbe.facts();
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        String s = t.getClass().getSimpleName() + (m != null ? ": " + m : "");
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** This machine's facts, probed on first use and cached for the life of the JVM. */
    public static ProbeFacts system() {
        return Once.FACTS;
    }
}
