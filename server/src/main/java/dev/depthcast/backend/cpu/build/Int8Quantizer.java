package dev.depthcast.backend.cpu.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime's own quantization tool ({@code onnxruntime.quantization}, pinned in
 * {@code scripts/cpu-engine/requirements.txt}) in the private virtual environment that
 * {@code scripts/cpu-engine/venv.sh} makes on first use: the Java build hands it the model, the
 * method and, for static quantization, the preprocessed calibration frames as a {@code .npy}.
 * A machine without Python or its venv module gets the script's one line saying what to install.
 */
final class Int8Quantizer {

    /** What {@code venv.sh} exits with when Python or its venv module is missing. */
    static final int EXIT_NO_PYTHON = 3;

    /** The quantizer could not run here: Python, venv or the packages are missing. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private final Path scripts;
    private final Map<String, String> environment;
    private String python;

    /**
     * @param scripts {@code scripts/cpu-engine}
     * @param environment overrides for the scripts (e.g. {@code DEPTHCAST_PYTHON}, {@code DEPTHCAST_QUANT_VENV})
     */
    Int8Quantizer(Path scripts, Map<String, String> environment) {
        this.scripts = scripts;
        this.environment = Map.copyOf(environment);
    }

    /** Makes the virtual environment if needed; the interpreter inside it. */
    String python() throws IOException, InterruptedException, Unavailable {
        if (python == null) {
            Result r = run(List.of("bash", scripts.resolve("venv.sh").toString()));
            if (r.status != 0) {
                String last = r.err.isBlank() ? "exit status " + r.status : lastLine(r.err);
                throw new Unavailable(last);
            }
            python = lastLine(r.out);
        }
        return python;
    }

    /**
     * Quantizes {@code model} into {@code out}; {@code calibration} (a .npy) for {@code static}.
     * Returns the tool's one-line summary.
     */
    String quantize(Path model, Path out, String method, Path calibration, List<String> excludedOpTypes)
            throws IOException, InterruptedException, Unavailable {
        List<String> cmd = new ArrayList<>(List.of(
                python(),
                scripts.resolve("quantize.py").toString(),
                "--onnx",
                model.toString(),
                "--out",
                out.toString(),
                "--mode",
                method,
                "--exclude-op-types",
                String.join(",", excludedOpTypes)));
        if (calibration != null) {
            cmd.add("--calib");
            cmd.add(calibration.toString());
        }
        Result r = run(cmd);
        if (r.status != 0) {
            throw new IOException("onnxruntime.quantization (" + method + ") failed: " + lastLine(r.err));
        }
        return lastLine(r.out);
    }

    private record Result(int status, String out, String err) {}

    private Result run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(environment);
        Process p = pb.start();
        p.getOutputStream().close();
        // Read stderr on its own thread so neither pipe fills and blocks the tool.
        StringBuilder err = new StringBuilder();
        Thread drain = new Thread(
                () -> {
                    try {
                        err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        err.append(e.getMessage());
                    }
                },
                "quantizer-stderr");
        drain.setDaemon(true);
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        drain.join();
        return new Result(status, out, err.toString());
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}
