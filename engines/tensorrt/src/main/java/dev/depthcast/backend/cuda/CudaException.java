package dev.depthcast.backend.cuda;

import java.util.Set;

/**
 * A CUDA driver call that did not return CUDA_SUCCESS, with its error code, so the pipeline can
 * tell a failed call from a device fault that poisons the context ({@link #sticky()}).
 */
public final class CudaException extends IllegalStateException {

    /**
     * CUresult codes after which the context is unusable and every later call fails: the CUDA
     * programming guide's "sticky" errors (a kernel fault, a device-side assert, an uncorrectable
     * ECC or NVLink error) and a deinitialised driver. Only a new process recovers.
     */
    static final Set<Integer> STICKY = Set.of(
            4, // CUDA_ERROR_DEINITIALIZED
            214, // CUDA_ERROR_ECC_UNCORRECTABLE
            220, // CUDA_ERROR_NVLINK_UNCORRECTABLE
            700, // CUDA_ERROR_ILLEGAL_ADDRESS
            702, // CUDA_ERROR_LAUNCH_TIMEOUT
            710, // CUDA_ERROR_ASSERT
            714, // CUDA_ERROR_HARDWARE_STACK_ERROR
            715, // CUDA_ERROR_ILLEGAL_INSTRUCTION
            716, // CUDA_ERROR_MISALIGNED_ADDRESS
            717, // CUDA_ERROR_INVALID_ADDRESS_SPACE
            718, // CUDA_ERROR_INVALID_PC
            719); // CUDA_ERROR_LAUNCH_FAILED

    private final int code;

    public CudaException(String call, int code, String name) {
        super(call + " failed: " + name + " (" + code + ")");
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True when the context is poisoned: no later call in this process can succeed. */
    public boolean sticky() {
        return STICKY.contains(code);
    }
}
