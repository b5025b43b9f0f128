package dev.depthcast.backend.tensorrt.build;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.build.AccuracyGate;
import dev.depthcast.backend.build.BuildCli;
import dev.depthcast.backend.build.CalibrationBatches;
import dev.depthcast.backend.build.CalibrationSet;
import dev.depthcast.backend.build.DepthAgreement;
import dev.depthcast.backend.build.OnnxFacts;
import dev.depthcast.backend.cpu.OnnxRuntimeModel;
import dev.depthcast.backend.tensorrt.BackendDecision;
import dev.depthcast.backend.tensorrt.EngineManifest;
import dev.depthcast.backend.tensorrt.EngineRunner;
import dev.depthcast.backend.tensorrt.GpuProbe;
import dev.depthcast.backend.tensorrt.ProbeFacts;
import dev.depthcast.backend.tensorrt.TensorRtBackend;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.BuiltInPreset;
import dev.depthcast.model.Preset;
import dev.depthcast.process.Preprocessor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/build-engine.sh}: ONNX to TensorRT engines, FP16 and/or INT8, in Java (no
 * trtexec), with a manifest beside each engine that the server checks before loading it. INT8
 * comes from the model's own Q/DQ nodes (TensorRT 10's preferred way) or from calibration over
 * recorded frames, and an INT8 engine is installed only if it agrees with the unquantized model
 * (ONNX Runtime FP32 on the CPU) on held-out frames ({@link AccuracyGate}), unless {@code --force}.
 *
 * <p>Exit status: 0 built (or planned, with {@code --dry-run}); 2 a bad argument; 3 no usable GPU
 * here; 4 the INT8 engine failed the accuracy gate; 1 anything else.
 */
@Command(
        name = "build-engine.sh",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = "Builds TensorRT engines for the tensorrt backend from an ONNX depth model (on the GPU host "
                + "that will serve: an engine is tied to one GPU architecture and TensorRT version).")
public final class BuildCommand implements Callable<Integer> {

    static final int EXIT_NO_GPU = 3;
    static final int EXIT_GATE = 4;

    @Option(
            names = "--onnx",
            paramLabel = "FILE",
            description = "the ONNX model (default for --preset relief: the embedded relief model)")
    Path onnx;

    @Option(
            names = "--preset",
            defaultValue = "relief",
            description = "relief | depth-anything-v2 | midas-small (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(
            names = "--input-size",
            paramLabel = "HxW",
            description = "another input size than the preset's, e.g. 518x518")
    String inputSize;

    @Option(
            names = "--precision",
            defaultValue = "fp16",
            description = "fp16 | int8 | both (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(
            names = "--min-batch",
            defaultValue = "1",
            description = "profile minimum batch (default: ${DEFAULT-VALUE})")
    int minBatch;

    @Option(
            names = "--opt-batch",
            defaultValue = "4",
            description = "profile optimum batch (default: ${DEFAULT-VALUE})")
    int optBatch;

    @Option(
            names = "--max-batch",
            defaultValue = "8",
            description = "profile maximum batch: the server's --max-batch at most (default: ${DEFAULT-VALUE})")
    int maxBatch;

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

    @Option(
            names = "--calib-batch",
            defaultValue = "8",
            description = "calibration batch size (default: ${DEFAULT-VALUE})")
    int calibBatch;

    @Option(
            names = "--calib-cache",
            paramLabel = "FILE",
            description = "INT8 calibration cache: read if it exists (no calibration run), written otherwise")
    Path calibCache;

    @Option(names = "--out", defaultValue = "engines", description = "where engines go (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--workspace-mib",
            defaultValue = "4096",
            description = "builder workspace, MiB (default: ${DEFAULT-VALUE})")
    int workspaceMib;

    @Option(names = "--force", description = "install an INT8 engine even if it fails the accuracy gate")
    boolean force;

    @Option(names = "--dry-run", description = "check the arguments and print the plan; touch no GPU")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One engine to build. */
    record Planned(BuildRequest request, Path engine) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter say = spec.commandLine().getOut();
        Preset p = preset();
        Path model = onnx;
        if (model == null && !p.name().equals("relief")) {
            throw new IllegalArgumentException("--onnx FILE is required for preset " + p.name());
        }
        if (model != null && !dryRun && !Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--onnx " + model + ": no such file");
        }
        boolean quantized = model != null
                && Files.isRegularFile(model)
                && OnnxFacts.of(model).quantized();
        List<Planned> plan = plan(p, model, quantized);
        boolean int8 = plan.stream().anyMatch(x -> x.request().precision() == BuildRequest.Precision.INT8);
        if (int8 && !quantized && calibImages == null && (calibCache == null || !Files.isRegularFile(calibCache))) {
            throw new IllegalArgumentException("int8 needs calibration frames (--calib-images DIR: .y4m clips from "
                    + "scripts/serve.sh --record-calibration, or images) or an existing --calib-cache FILE, or a model "
                    + "with Q/DQ nodes; without them INT8 scales are guesses and the depth is garbage");
        }
        for (Planned x : plan) {
            say.println("plan: " + x.engine() + ": " + x.request().describe() + ", workspace " + workspaceMib + " MiB");
        }
        if (calibImages != null && int8) {
            CalibrationSet.Split s = CalibrationSet.split(CalibrationSet.read(calibImages), 5, calibFrames);
            say.printf(
                    Locale.ROOT,
                    "plan: calibrate on %d frames, check on %d held-out frames%n",
                    s.calibration().size(),
                    s.heldOut().size());
        }
        if (dryRun) {
            return 0;
        }
        ProbeFacts facts = GpuProbe.system();
        BackendDecision device = BackendDecision.runtimeProblem(facts);
        if (device != null) {
            spec.commandLine()
                    .getErr()
                    .println("build-engine: cannot build here: " + device.reason()
                            + " (engines are built on the GPU host that serves; --dry-run checks the arguments)");
            return EXIT_NO_GPU;
        }
        int status = 0;
        for (Planned x : plan) {
            status = Math.max(status, build(x, facts, say));
        }
        return status;
    }

    Preset preset() {
        Preset p = BuiltInPreset.parse(preset).preset();
        if (inputSize != null) {
            String[] hw = inputSize.toLowerCase(Locale.ROOT).split("x");
            if (hw.length != 2) {
                throw new IllegalArgumentException("--input-size must be HxW, e.g. 518x518, got '" + inputSize + "'");
            }
            try {
                p = p.withInputSize(Integer.parseInt(hw[0].trim()), Integer.parseInt(hw[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--input-size must be HxW, e.g. 518x518, got '" + inputSize + "'");
            }
        }
        return p;
    }

    List<Planned> plan(Preset p, Path model, boolean quantized) {
        List<BuildRequest.Precision> precisions = switch (precision.toLowerCase(Locale.ROOT)) {
            case "both" -> List.of(BuildRequest.Precision.FP16, BuildRequest.Precision.INT8);
            case "fp16", "int8" -> List.of(BuildRequest.Precision.parse(precision));
            default ->
                throw new IllegalArgumentException("--precision must be fp16, int8 or both, got '" + precision + "'");
        };
        List<Planned> plan = new ArrayList<>();
        for (BuildRequest.Precision pr : precisions) {
            BuildRequest r = new BuildRequest(
                    model,
                    p,
                    pr,
                    minBatch,
                    optBatch,
                    maxBatch,
                    (long) workspaceMib << 20,
                    out.resolve("cache").resolve("timing.cache"),
                    quantized);
            String name = TensorRtBackend.defaultEngineName(p).replace("_fp16.engine", "_" + pr.label() + ".engine");
            plan.add(new Planned(r, out.resolve(name)));
        }
        return plan;
    }

    private int build(Planned x, ProbeFacts facts, PrintWriter say) throws Exception {
        BuildRequest r = x.request();
        Path model = r.onnx();
        Path temp = null;
        if (model == null) {
            temp = Files.createTempFile("depthcast-relief", ".onnx");
            Files.write(temp, Backends.modelBytes(null));
            model = temp;
            r = new BuildRequest(
                    model,
                    r.preset(),
                    r.precision(),
                    r.minBatch(),
                    r.optBatch(),
                    r.maxBatch(),
                    r.workspaceBytes(),
                    r.timingCache(),
                    r.quantizedModel());
        }
        try {
            Files.createDirectories(x.engine().getParent());
            Files.createDirectories(r.timingCache().getParent());
            BuildProgress progress = new BuildProgress(System.out, System::nanoTime);
            CalibrationSet.Split split =
                    calibImages == null ? null : CalibrationSet.split(CalibrationSet.read(calibImages), 5, calibFrames);
            Int8Calibrator calibrator = null;
            if (r.precision() == BuildRequest.Precision.INT8 && !r.quantizedModel()) {
                List<I420Frame> frames = split == null ? List.of() : split.calibration();
                calibrator = new Int8Calibrator(
                        frames.isEmpty()
                                ? null
                                : new CalibrationBatches(frames, new Preprocessor(r.preset()), calibBatch),
                        calibCache);
            }
            TrtEngineBuilder.Built built;
            try {
                built = TrtEngineBuilder.build(r, progress, calibrator);
            } finally {
                if (calibrator != null) {
                    calibrator.close();
                }
            }
            if (r.precision() == BuildRequest.Precision.INT8) {
                String refusal = gate(built, r, split, progress);
                if (refusal != null && !force) {
                    spec.commandLine().getErr().println("build-engine: " + refusal);
                    return EXIT_GATE;
                }
            }
            Files.write(x.engine(), built.engine());
            new EngineManifest(
                            built.tensorRt(),
                            facts.ccMajor() + "." + facts.ccMinor(),
                            r.preset().name(),
                            r.preset().inputHeight(),
                            r.preset().inputWidth(),
                            r.maxBatch(),
                            r.precision().label(),
                            OnnxFacts.of(model).sha256())
                    .write(
                            x.engine(),
                            r.minBatch(),
                            r.optBatch(),
                            built.inputName(),
                            r.onnx() == null
                                    ? "relief.onnx (embedded)"
                                    : r.onnx().getFileName().toString());
            say.println("build-engine: " + x.engine() + " (TensorRT " + built.tensorRt() + ", sm_" + facts.ccMajor()
                    + facts.ccMinor() + ")");
            return 0;
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** The INT8 engine against ONNX Runtime FP32 on the held-out frames; null when it passes. */
    private String gate(
            TrtEngineBuilder.Built built, BuildRequest r, CalibrationSet.Split split, BuildProgress progress)
            throws Exception {
        if (split == null || split.heldOut().isEmpty()) {
            return "no held-out frames to check the INT8 engine against the unquantized model (give --calib-images DIR)";
        }
        Preprocessor pre = new Preprocessor(r.preset());
        List<DepthAgreement.Frame> frames = new ArrayList<>();
        byte[] modelBytes = Files.readAllBytes(r.onnx());
        try (EngineRunner int8 = new EngineRunner(built.engine(), "int8", r.preset(), 1);
                OnnxRuntimeModel reference =
                        new OnnxRuntimeModel(modelBytes, r.onnx().toString(), r.preset(), 0)) {
            for (I420Frame f : split.heldOut()) {
                float[] input = new float[pre.tensorLength(1)];
                pre.write(f, input, 0);
                frames.add(DepthAgreement.compare(reference.infer(input, 1).data(), int8.depth(input, 1)));
            }
        }
        DepthAgreement.Summary s = DepthAgreement.summarize(frames);
        progress.note("INT8 vs ONNX Runtime FP32 on held-out frames: " + s);
        return AccuracyGate.DEFAULT.refusal(s);
    }

    /** Runs a command line; the one-line error handling of the server's CLI. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return BuildCli.run(new BuildCommand(), out, err, args);
    }

    public static void main(String[] args) throws IOException {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }
}
