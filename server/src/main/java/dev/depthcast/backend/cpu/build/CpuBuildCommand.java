package dev.depthcast.backend.cpu.build;

import ai.onnxruntime.OrtEnvironment;
import dev.depthcast.backend.Backends;
import dev.depthcast.backend.build.AccuracyGate;
import dev.depthcast.backend.build.BuildCli;
import dev.depthcast.backend.build.CalibrationSet;
import dev.depthcast.backend.build.DepthAgreement;
import dev.depthcast.backend.build.OnnxFacts;
import dev.depthcast.backend.cpu.CpuEngineManifest;
import dev.depthcast.backend.cpu.CpuFeatures;
import dev.depthcast.backend.cpu.OnnxRuntimeModel;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.BuiltInPreset;
import dev.depthcast.model.Preset;
import dev.depthcast.process.Preprocessor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/build-engine.sh --backend cpu}: ONNX Runtime engines for the CPU backend. FP32 is
 * the model after ONNX Runtime's offline graph optimisation; INT8 is the model quantized by ONNX
 * Runtime's own tool ({@link Int8Quantizer}), static Q/DQ calibrated on frames that went through the
 * serving preprocessor, or dynamic (weights only) — by default both are built, timed and checked by
 * the accuracy gate every backend uses, and the faster one that passes is installed. A manifest
 * beside each engine ({@link CpuEngineManifest}) is what the server matches before loading it.
 *
 * <p>Exit status: 0 built (or planned, with {@code --dry-run}); 2 a bad argument; 3 the quantizer's
 * Python environment cannot be made here; 4 no INT8 engine installed: none passed the accuracy gate,
 * or the one that did is not faster than FP32 ({@code --force} installs it anyway); 1 anything else.
 */
@Command(
        name = "build-engine.sh --backend cpu",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = "Builds ONNX Runtime engines for the CPU backend from an ONNX depth model: FP32 (offline-"
                + "optimised) and/or INT8 (onnxruntime.quantization, checked by the accuracy gate).")
public final class CpuBuildCommand implements Callable<Integer> {

    static final int EXIT_NO_PYTHON = 3;
    static final int EXIT_GATE = 4;

    /**
     * Operator types kept in FP32 by default. Measured on the Depth-Anything-V2-Small-shaped model
     * (README, CPU engines): quantizing only the MatMul/Conv family is where the int8 kernels win;
     * quantized Softmax, LayerNormalization, Resize and the element-wise Add/Mul each add a
     * quantize/dequantize pair around an op ONNX Runtime runs as fast in FP32, and Softmax and
     * LayerNormalization are where INT8 loses the most accuracy (small differences of large values).
     */
    static final List<String> DEFAULT_EXCLUDED = List.of(
            "Softmax",
            "LayerNormalization",
            "Resize",
            "Add",
            "Mul",
            "Concat",
            "Gather",
            "Reshape",
            "Slice",
            "Squeeze",
            "Unsqueeze",
            "Transpose",
            "Split",
            "Where",
            "Relu",
            "ConvTranspose");

    @Option(
            names = "--backend",
            defaultValue = "cpu",
            description = "cpu (tensorrt is the other build-engine.sh; default here: ${DEFAULT-VALUE})")
    String backend;

    @Option(
            names = "--onnx",
            paramLabel = "FILE",
            description = "the ONNX model (default for --preset relief: the embedded relief model)")
    Path onnx;

    @Option(
            names = "--preset",
            defaultValue = "relief",
            description = "relief | depth-anything-v2 | midas-small | … (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(
            names = "--input-size",
            paramLabel = "HxW",
            description = "another input size than the preset's, e.g. 266x350")
    String inputSize;

    @Option(
            names = "--precision",
            defaultValue = "fp32",
            description = "fp32 | int8 | both (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(
            names = "--int8-method",
            defaultValue = "auto",
            description = "static (Q/DQ, calibrated) | dynamic (weights only) | auto: build both, keep the faster "
                    + "one that passes the accuracy gate (default: ${DEFAULT-VALUE})")
    String int8Method;

    @Option(
            names = "--int8-exclude",
            paramLabel = "OPS",
            split = ",",
            description =
                    "operator types kept in FP32 (comma-separated; default: the measured list, see engines/README.md;"
                            + " 'none' quantizes every type the tool can)")
    List<String> int8Exclude;

    @Option(
            names = "--calib-images",
            paramLabel = "DIR",
            description =
                    "INT8 calibration frames: .y4m clips (serve.sh --record-calibration writes them) and/or images")
    Path calibImages;

    @Option(
            names = "--calib-frames",
            defaultValue = "500",
            description = "at most this many calibration frames, spread evenly (default: ${DEFAULT-VALUE})")
    int calibFrames;

    @Option(names = "--out", defaultValue = "engines", description = "where engines go (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--threads",
            description = "ONNX Runtime threads while timing and checking engines (default: all cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(
            names = "--force",
            description = "install an INT8 engine even if it fails the accuracy gate or is not faster than FP32")
    boolean force;

    @Option(names = "--dry-run", description = "check the arguments and print the plan; run no model")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Path scripts;
    private final Map<String, String> environment;

    public CpuBuildCommand() {
        this(Path.of("scripts", "cpu-engine"), Map.of());
    }

    /**
     * @param scripts {@code scripts/cpu-engine} (the quantizer and its environment)
     * @param environment overrides for those scripts (tests: a missing Python)
     */
    CpuBuildCommand(Path scripts, Map<String, String> environment) {
        this.scripts = scripts;
        this.environment = Map.copyOf(environment);
    }

    /** One INT8 candidate after the quantizer, timing and the gate. */
    record Candidate(String method, Path engine, double ms, DepthAgreement.Summary agreement, String refusal) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter say = spec.commandLine().getOut();
        if (!backend.equalsIgnoreCase("cpu")) {
            throw new IllegalArgumentException("--backend " + backend + ": this command builds cpu engines");
        }
        Preset p = preset();
        Path model = onnx;
        if (model == null && !p.name().equals("relief")) {
            throw new IllegalArgumentException("--onnx FILE is required for preset " + p.name());
        }
        if (model != null && !dryRun && !Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--onnx " + model + ": no such file");
        }
        List<String> precisions = precisions();
        List<String> methods = methods();
        List<String> excluded = excluded();
        boolean int8 = precisions.contains(CpuEngineManifest.INT8);
        if (int8 && calibImages == null) {
            throw new IllegalArgumentException(
                    "int8 needs frames (--calib-images DIR: .y4m clips from scripts/serve.sh "
                            + "--record-calibration, or images): static quantization calibrates on them, and the accuracy "
                            + "gate checks every INT8 engine on the ones held out");
        }
        if (calibFrames < 1) {
            throw new IllegalArgumentException("--calib-frames must be at least 1, got " + calibFrames);
        }
        String ort = OrtEnvironment.getEnvironment().getVersion();
        for (String pr : precisions) {
            say.printf(
                    Locale.ROOT,
                    "plan: %s: %s %s at %dx%d (HxW), ONNX Runtime %s%s%n",
                    out.resolve(CpuEngineManifest.engineName(p.name(), p.inputHeight(), p.inputWidth(), pr)),
                    p.name(),
                    pr,
                    p.inputHeight(),
                    p.inputWidth(),
                    ort,
                    pr.equals(CpuEngineManifest.INT8)
                            ? ", " + String.join(" and ", methods) + " quantization, FP32 kept for "
                                    + (excluded.isEmpty() ? "nothing" : String.join(",", excluded))
                            : ", offline-optimised");
        }
        CalibrationSet.Split split = null;
        if (int8) {
            try {
                split = CalibrationSet.split(CalibrationSet.read(calibImages), 5, calibFrames);
            } catch (IOException e) {
                throw new IllegalArgumentException("--calib-images " + e.getMessage(), e);
            }
            if (split.heldOut().isEmpty()) {
                throw new IllegalArgumentException(
                        calibImages + " holds " + split.calibration().size()
                                + " frames: give at least 5, every 5th is held out for the accuracy gate");
            }
            say.printf(
                    Locale.ROOT,
                    "plan: calibrate on %d frames, check on %d held-out frames%n",
                    split.calibration().size(),
                    split.heldOut().size());
        }
        if (dryRun) {
            return 0;
        }
        Int8Quantizer quantizer = null;
        if (int8) {
            // Before any build: a machine that cannot quantize says so at once, not after FP32.
            quantizer = new Int8Quantizer(scripts, environment);
            try {
                quantizer.python();
            } catch (Int8Quantizer.Unavailable e) {
                spec.commandLine().getErr().println(e.getMessage());
                return EXIT_NO_PYTHON;
            }
        }
        Path temp = Files.createTempDirectory("depthcast-cpu-engine");
        try {
            Path source = model;
            if (source == null) {
                source = temp.resolve("relief.onnx");
                Files.write(source, Backends.modelBytes(null));
            }
            Files.createDirectories(out);
            int status = 0;
            for (String pr : precisions) {
                status = Math.max(
                        status,
                        pr.equals(CpuEngineManifest.FP32)
                                ? buildFp32(p, source, ort, say)
                                : buildInt8(p, source, ort, quantizer, methods, excluded, split, temp, say));
            }
            return status;
        } finally {
            deleteTree(temp);
        }
    }

    private int buildFp32(Preset p, Path model, String ort, PrintWriter say) throws Exception {
        Path engine = out.resolve(CpuEngineManifest.engineName(p.name(), p.inputHeight(), p.inputWidth(), "fp32"));
        OfflineOptimizer.write(model, engine);
        manifest(p, model, ort, CpuEngineManifest.FP32, "none", "none").write(engine, modelFile());
        say.println("build-engine: " + engine + " (fp32, ONNX Runtime " + ort + ")");
        return 0;
    }

    private int buildInt8(
            Preset p,
            Path model,
            String ort,
            Int8Quantizer quantizer,
            List<String> methods,
            List<String> excluded,
            CalibrationSet.Split split,
            Path temp,
            PrintWriter say)
            throws Exception {
        Preprocessor pre = new Preprocessor(p);
        List<float[]> heldOut = new ArrayList<>();
        for (I420Frame f : split.heldOut()) {
            float[] input = new float[pre.tensorLength(1)];
            pre.write(f, input, 0);
            heldOut.add(input);
        }
        Path calibration = null;
        if (methods.contains("static")) {
            calibration = temp.resolve("calibration.npy");
            List<I420Frame> frames = split.calibration();
            NpyWriter.write(
                    calibration,
                    (i, into) -> pre.write(frames.get(i), into, 0),
                    frames.size(),
                    3,
                    p.inputHeight(),
                    p.inputWidth());
        }
        List<float[]> reference = new ArrayList<>();
        double fp32Ms;
        try (OnnxRuntimeModel fp32 = new OnnxRuntimeModel(Files.readAllBytes(model), "fp32", p, threads)) {
            for (float[] in : heldOut) {
                reference.add(fp32.infer(in, 1).data().clone());
            }
            fp32Ms = medianMs(fp32, heldOut.get(0));
        }
        say.printf(Locale.ROOT, "fp32: %.1f ms a frame (median of 5, batch 1, %d threads)%n", fp32Ms, threads);
        List<Candidate> candidates = new ArrayList<>();
        for (String method : methods) {
            Path quantized = temp.resolve(method + ".onnx");
            String summary = quantizer.quantize(
                    model, quantized, method, method.equals("static") ? calibration : null, excluded);
            Path engine = temp.resolve(method + "-engine.onnx");
            OfflineOptimizer.write(quantized, engine);
            Candidate c = judge(method, engine, p, heldOut, reference);
            candidates.add(c);
            say.printf(
                    Locale.ROOT,
                    "int8 %s: %.1f ms a frame (%.2f× fp32), %s%s; quantizer: %s%n",
                    label(method),
                    c.ms(),
                    fp32Ms / c.ms(),
                    c.agreement(),
                    c.refusal() == null ? ", passes the gate" : ", fails the gate",
                    summary);
        }
        Candidate best = pick(candidates, force);
        if (best == null) {
            Candidate closest = candidates.stream()
                    .min(Comparator.comparingDouble(c -> c.agreement().absRel()))
                    .orElseThrow();
            spec.commandLine().getErr().println("build-engine: " + closest.refusal());
            return EXIT_GATE;
        }
        if (best.ms() >= fp32Ms && !force) {
            spec.commandLine()
                    .getErr()
                    .printf(
                            Locale.ROOT,
                            "build-engine: INT8 does not pay on this CPU: the fastest INT8 engine that passes the gate "
                                    + "(%s, %.1f ms a frame) is not faster than FP32 (%.1f ms); not installed (serve "
                                    + "FP32, or pass --force)%n",
                            label(best.method()),
                            best.ms(),
                            fp32Ms);
            return EXIT_GATE;
        }
        Path engine = out.resolve(CpuEngineManifest.engineName(p.name(), p.inputHeight(), p.inputWidth(), "int8"));
        Files.copy(best.engine(), engine, StandardCopyOption.REPLACE_EXISTING);
        String gate = (best.refusal() == null ? "" : "forced: ")
                + best.agreement()
                + String.format(Locale.ROOT, "; %.1f ms a frame vs fp32 %.1f ms", best.ms(), fp32Ms);
        manifest(p, model, ort, CpuEngineManifest.INT8, label(best.method()), gate)
                .write(engine, modelFile());
        say.println("build-engine: " + engine + " (int8 " + label(best.method()) + ", ONNX Runtime " + ort + ")");
        return 0;
    }

    /** The fastest candidate the gate lets in (with {@code force}, every one is in), or null. */
    static Candidate pick(List<Candidate> candidates, boolean force) {
        return candidates.stream()
                .filter(c -> c.refusal() == null || force)
                .min(Comparator.comparingDouble(Candidate::ms))
                .orElse(null);
    }

    /** Times a candidate and checks it against the FP32 model's depth on the held-out frames. */
    private Candidate judge(String method, Path engine, Preset p, List<float[]> heldOut, List<float[]> reference)
            throws Exception {
        List<DepthAgreement.Frame> frames = new ArrayList<>();
        double ms;
        try (OnnxRuntimeModel m = new OnnxRuntimeModel(Files.readAllBytes(engine), "int8 " + method, p, threads)) {
            for (int i = 0; i < heldOut.size(); i++) {
                frames.add(DepthAgreement.compare(
                        reference.get(i), m.infer(heldOut.get(i), 1).data()));
            }
            ms = medianMs(m, heldOut.get(0));
        }
        DepthAgreement.Summary s = DepthAgreement.summarize(frames);
        return new Candidate(method, engine, ms, s, AccuracyGate.DEFAULT.refusal(s));
    }

    /** Median of 5 timed runs at batch 1, after the runs above warmed the session. */
    private static double medianMs(OnnxRuntimeModel m, float[] input) throws Exception {
        double[] t = new double[5];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            m.infer(input, 1);
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[2];
    }

    private CpuEngineManifest manifest(Preset p, Path model, String ort, String pr, String method, String gate)
            throws IOException {
        return new CpuEngineManifest(
                p.name(),
                p.inputHeight(),
                p.inputWidth(),
                pr,
                method,
                ort,
                OnnxFacts.of(model).sha256(),
                CpuFeatures.machine(),
                gate);
    }

    private String modelFile() {
        return onnx == null ? "relief.onnx (embedded)" : onnx.getFileName().toString();
    }

    private static String label(String method) {
        return method.equals("static") ? "static-qdq" : method;
    }

    Preset preset() {
        Preset p = BuiltInPreset.parse(preset).preset();
        if (inputSize != null) {
            String[] hw = inputSize.toLowerCase(Locale.ROOT).split("x");
            try {
                if (hw.length != 2) {
                    throw new NumberFormatException();
                }
                p = p.withInputSize(Integer.parseInt(hw[0].trim()), Integer.parseInt(hw[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--input-size must be HxW, e.g. 266x350, got '" + inputSize + "'");
            }
        }
        return p;
    }

    List<String> precisions() {
        return switch (precision.toLowerCase(Locale.ROOT)) {
            case "both" -> List.of(CpuEngineManifest.FP32, CpuEngineManifest.INT8);
            case "fp32" -> List.of(CpuEngineManifest.FP32);
            case "int8" -> List.of(CpuEngineManifest.INT8);
            default ->
                throw new IllegalArgumentException(
                        "--precision must be fp32, int8 or both for the cpu backend, got '" + precision + "'");
        };
    }

    List<String> methods() {
        return switch (int8Method.toLowerCase(Locale.ROOT)) {
            case "auto" -> List.of("static", "dynamic");
            case "static", "dynamic" -> List.of(int8Method.toLowerCase(Locale.ROOT));
            default ->
                throw new IllegalArgumentException(
                        "--int8-method must be static, dynamic or auto, got '" + int8Method + "'");
        };
    }

    List<String> excluded() {
        if (int8Exclude == null) {
            return DEFAULT_EXCLUDED;
        }
        List<String> ops =
                int8Exclude.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (ops.equals(List.of("none"))) {
            return List.of();
        }
        for (String op : ops) {
            if (!op.matches("[A-Z][A-Za-z0-9]*")) {
                throw new IllegalArgumentException(
                        "--int8-exclude takes ONNX operator types such as Softmax,Resize, got '" + op + "'");
            }
        }
        return ops;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** Runs a command line; the one-line error handling of the server's CLI. */
    static int run(CpuBuildCommand command, PrintWriter out, PrintWriter err, String... args) {
        return BuildCli.run(command, out, err, args);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(new CpuBuildCommand(), out, err, args));
    }
}
