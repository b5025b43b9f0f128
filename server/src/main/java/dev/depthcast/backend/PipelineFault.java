package dev.depthcast.backend;

/**
 * A pipeline that can run no further batch (on the GPU: a sticky CUDA error poisoned the
 * context). Unlike an ordinary failure, which costs one batch, this one ends the pipeline; the
 * executor reports it and the server stops (see README, "When the GPU fails").
 */
public final class PipelineFault extends RuntimeException {

    public PipelineFault(String message, Throwable cause) {
        super(message, cause);
    }
}
