package dev.depthcast.backend.tensorrt;

import dev.depthcast.backend.PipelineSpec;
import dev.depthcast.backend.build.OnnxFacts;
import dev.depthcast.backend.tensorrt.build.BuildProgress;
import dev.depthcast.backend.tensorrt.build.BuildRequest;
import dev.depthcast.backend.tensorrt.build.TrtEngineBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code --backend tensorrt} with a model and no engine for it: builds the FP16 engine into the
 * cache path {@link EngineChoice} chose, with the builder's progress on stderr, then the server
 * opens it as any other. The timing cache sits beside the cached engines, so a rebuild for another
 * max batch takes seconds. Never executed, because no machine this project ran on had TensorRT:
 * compiled; the choice is tested ({@code EngineChoiceTest}).
 */
final class FirstStartBuild {

    static final long WORKSPACE_BYTES = 4L << 30;

    private FirstStartBuild() {}

    static void build(PipelineSpec config, Path engine, ProbeFacts facts) {
        try {
            Files.createDirectories(engine.getParent());
            Path onnx = config.model();
            Path temp = null;
            if (onnx == null) { // the embedded relief model: the parser reads a file
                temp = Files.createTempFile("depthcast-model", ".onnx");
                Files.write(temp, config.modelBytes());
                onnx = temp;
            }
            try {
                OnnxFacts model = OnnxFacts.of(onnx);
                BuildRequest r = new BuildRequest(
                        onnx,
                        config.preset(),
                        BuildRequest.Precision.FP16,
                        1,
                        Math.max(1, config.maxBatch() / 2),
                        config.maxBatch(),
                        WORKSPACE_BYTES,
                        EngineChoice.CACHE.resolve("timing.cache"),
                        model.quantized());
                BuildProgress progress = new BuildProgress(System.err, System::nanoTime);
                progress.note("no TensorRT engine for this model on this GPU yet: building " + engine
                        + " (once; later starts load it)");
                TrtEngineBuilder.Built built = TrtEngineBuilder.build(r, progress, null);
                Path part = engine.resolveSibling(engine.getFileName() + ".part");
                Files.write(part, built.engine());
                new EngineManifest(
                                built.tensorRt(),
                                facts.ccMajor() + "." + facts.ccMinor(),
                                config.preset().name(),
                                config.preset().inputHeight(),
                                config.preset().inputWidth(),
                                config.maxBatch(),
                                "fp16",
                                model.sha256())
                        .write(
                                engine,
                                1,
                                r.optBatch(),
                                built.inputName(),
                                config.model() == null
                                        ? "relief.onnx (embedded)"
                                        : config.model().getFileName().toString());
                Files.move(part, engine, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                progress.note("engine ready: " + engine);
            } finally {
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "building a TensorRT engine into " + engine + " failed: " + e.getMessage(), e);
        }
    }
}
