package dev.depthcast.backend.cpu.build;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;

/**
 * ONNX Runtime's offline graph optimisation, by the ONNX Runtime the server runs (its Java
 * binding): constant folding, operator fusions and, for a Q/DQ model, the QDQ → integer-kernel
 * fusions, written to a file so the server loads the result instead of redoing them at each start.
 * Level "extended", not "all": the layout transformations of "all" (NCHWc blocks) are sized for
 * the CPU that runs them, so they are left to the server's own session start.
 */
final class OfflineOptimizer {

    private OfflineOptimizer() {}

    /** Optimises {@code model} into {@code engine}. */
    static void write(Path model, Path engine) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
            o.setOptimizedModelFilePath(engine.toString());
            o.setIntraOpNumThreads(1);
            try (OrtSession s = OrtEnvironment.getEnvironment().createSession(model.toString(), o)) {
                // creating the session writes the optimised graph
            }
        }
    }
}
