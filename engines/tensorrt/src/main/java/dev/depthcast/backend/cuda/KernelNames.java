package dev.depthcast.backend.cuda;

import java.util.List;

/** The {@code extern "C"} kernel names in kernels/*.cu (a test checks them against the sources). */
public final class KernelNames {

    public static final String PREPROCESS_F16 = "dc_preprocess_f16";
    public static final String PREPROCESS_F32 = "dc_preprocess_f32";
    public static final String RANGE_F16 = "dc_depth_range_f16";
    public static final String RANGE_F32 = "dc_depth_range_f32";
    public static final String SAMPLE_F16 = "dc_sample_f16";
    public static final String SAMPLE_F32 = "dc_sample_f32";
    public static final String COMPACT = "dc_compact";

    /** Every kernel with its parameter count, as declared in the .cu files. */
    public static final List<Kernel> ALL = List.of(
            new Kernel(PREPROCESS_F16, 5),
            new Kernel(PREPROCESS_F32, 5),
            new Kernel(RANGE_F16, 5),
            new Kernel(RANGE_F32, 5),
            new Kernel(SAMPLE_F16, 9),
            new Kernel(SAMPLE_F32, 9),
            new Kernel(COMPACT, 11));

    public record Kernel(String name, int parameters) {}

    private KernelNames() {}
}
