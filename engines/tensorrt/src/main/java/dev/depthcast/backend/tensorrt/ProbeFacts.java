package dev.depthcast.backend.tensorrt;

/**
 * What the device probe found, stage by stage (later stages are only filled when the earlier ones
 * passed). Pure data: {@link BackendDecision} turns it into a decision.
 *
 * @param driverNodes /dev/nvidiactl or /proc/driver/nvidia/version exists (pure-Java fast check)
 * @param driverError why the CUDA driver API could not be used (library missing, cuInit error), or null
 * @param deviceCount CUDA devices the driver reports
 * @param deviceName device 0's name
 * @param ccMajor device 0's compute capability, major
 * @param ccMinor and minor
 * @param tensorRtError why the CUDA runtime / TensorRT libraries could not be loaded, or null
 * @param tensorRtVersion TensorRT's version when loaded, e.g. 10.15.1
 */
public record ProbeFacts(
        boolean driverNodes,
        String driverError,
        int deviceCount,
        String deviceName,
        int ccMajor,
        int ccMinor,
        String tensorRtError,
        String tensorRtVersion) {

    public static ProbeFacts noDriverNodes() {
        return new ProbeFacts(false, null, 0, null, 0, 0, null, null);
    }

    public static ProbeFacts driverError(String error) {
        return new ProbeFacts(true, error, 0, null, 0, 0, null, null);
    }

    public static ProbeFacts devices(int count, String name, int major, int minor) {
        return new ProbeFacts(true, null, count, name, major, minor, null, null);
    }

    public ProbeFacts withTensorRt(String error, String version) {
        return new ProbeFacts(driverNodes, driverError, deviceCount, deviceName, ccMajor, ccMinor, error, version);
    }

    public String sm() {
        return "sm_" + ccMajor + ccMinor;
    }
}
