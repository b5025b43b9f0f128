package dev.depthcast.backend.tensorrt;

import java.util.Locale;

/**
 * One GPU batch's stage times in ms, each measured between two events on the stream that runs
 * the stage (upload on the upload stream, the rest on the compute stream), so none includes a
 * wait for the other stream: host staging, upload, preprocess kernel, inference, the stabilisers'
 * host round trip (download, host work, upload; NaN when none ran), unprojection kernels, download. The server's three stages sum them: preprocess = staging + upload + kernel,
 * unproject = kernels + download.
 */
record GpuStageTimes(
        double stagingMs,
        double uploadMs,
        double preprocessKernelMs,
        double inferenceMs,
        double stabiliseMs,
        double unprojectKernelsMs,
        double downloadMs) {

    double preprocessMs() {
        return stagingMs + uploadMs + preprocessKernelMs;
    }

    double unprojectMs() {
        return unprojectKernelsMs + downloadMs;
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "staging %.2f, upload %.2f, preprocess %.2f, inference %.2f, stabilise %.2f, unproject %.2f, "
                        + "download %.2f ms",
                stagingMs,
                uploadMs,
                preprocessKernelMs,
                inferenceMs,
                stabiliseMs,
                unprojectKernelsMs,
                downloadMs);
    }
}
