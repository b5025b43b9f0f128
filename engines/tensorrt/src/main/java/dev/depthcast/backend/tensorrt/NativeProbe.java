package dev.depthcast.backend.tensorrt;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;

/**
 * The native stages of the probe: JCuda driver (cuInit, device count, compute capability), then
 * the CUDA runtime and TensorRT through JavaCPP. Loaded only when the driver's device nodes exist
 * ({@link GpuProbe}); every stage catches Throwable, because without a usable driver these
 * libraries throw UnsatisfiedLinkError once and NoClassDefFoundError ever after — which is why the
 * probe runs once per JVM. On a machine without the driver's device nodes it is never reached (no
 * /dev/nvidiactl). Its JCuda stage is what the device tests probe through on a GPU host; its
 * TensorRT stages have never executed, because no machine this project ran on had TensorRT.
 */
final class NativeProbe {

    private NativeProbe() {}

    static ProbeFacts facts() {
        ProbeFacts f;
        try {
            JCudaDriver.setExceptionsEnabled(false);
            int rc = JCudaDriver.cuInit(0);
            if (rc != 0) {
                return ProbeFacts.driverError("cuInit returned " + errorName(rc) + " (" + rc + ")");
            }
            int[] n = new int[1];
            rc = JCudaDriver.cuDeviceGetCount(n);
            if (rc != 0 || n[0] <= 0) {
                return ProbeFacts.devices(0, null, 0, 0);
            }
            CUdevice d = new CUdevice();
            JCudaDriver.cuDeviceGet(d, 0);
            int[] major = new int[1];
            int[] minor = new int[1];
            JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d);
            JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d);
            byte[] name = new byte[256];
            JCudaDriver.cuDeviceGetName(name, name.length, d);
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            f = ProbeFacts.devices(n[0], new String(name, 0, len, StandardCharsets.US_ASCII), major[0], minor[0]);
        } catch (Throwable t) {
            return ProbeFacts.driverError("the CUDA driver library could not be used (" + describe(t) + ")");
        }
        try {
            Loader.load(cudart.class);
            try (IntPointer n = new IntPointer(1)) {
                int rc = cudart.cudaGetDeviceCount(n);
                if (rc != 0 || n.get() <= 0) {
                    return f.withTensorRt(
                            "the CUDA runtime sees no device (cudaGetDeviceCount returned " + rc + ")", null);
                }
            }
        } catch (Throwable t) {
            return f.withTensorRt("the CUDA runtime (cudart 13) could not be loaded: " + describe(t), null);
        }
        try {
            Loader.load(nvinfer.class);
            return f.withTensorRt(null, TrtEngine.formatVersion(nvinfer.getInferLibVersion()));
        } catch (Throwable t) {
            return f.withTensorRt("TensorRT could not be loaded: " + describe(t), null);
        }
    }

    private static String errorName(int rc) {
        String[] s = new String[1];
        JCudaDriver.cuGetErrorName(rc, s);
        return s[0] != null ? s[0] : "CUDA error";
    }

    private static String describe(Throwable t) {
        return GpuProbe.describe(t);
    }
}
