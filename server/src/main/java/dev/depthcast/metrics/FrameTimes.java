package dev.depthcast.metrics;

/**
 * One frame's walk through the server, stamped by each stage as it ends: the copy at ingest, the
 * executor when it takes the frame into a batch ({@link #taken}), the executor again when the
 * batch's stages are known ({@link #batchStages}), the delivery stage with the time its encoder took
 * ({@link #encoded}).
 * These are the {@code timing} of docs/protocol.md; the delivery stage reports them to
 * {@link PipelineMetrics} once the frame's walk ends, delivered or not.
 *
 * <p>Not synchronised: each stamp is written by one thread before the frame is handed to the next
 * (mailbox swap, executor, fan-out queue), and those hand-offs order the writes before later reads.
 */
public final class FrameTimes {

    private final long ingestNanos;
    private final long ingestEpochUs;
    private final double ingestMs;
    private double queueMs;
    private double preprocessMs;
    private double inferenceMs;
    private double unprojectMs;
    private double stabiliseMs = Double.NaN;
    private double encodeMs;

    /**
     * @param ingestNanos {@link System#nanoTime()} when the copy finished (start of the queue wait)
     * @param ingestEpochUs wall clock at the same moment, Unix epoch µs (goes on the wire)
     * @param ingestMs how long the copy took
     */
    public FrameTimes(long ingestNanos, long ingestEpochUs, double ingestMs) {
        this.ingestNanos = ingestNanos;
        this.ingestEpochUs = ingestEpochUs;
        this.ingestMs = ingestMs;
    }

    /** A frame whose copy ran from {@code startNanos} to {@code endNanos}, ending now. */
    public static FrameTimes copied(long startNanos, long endNanos) {
        return new FrameTimes(endNanos, WallClock.epochMicros(), (endNanos - startNanos) / 1e6);
    }

    /** The executor took the frame out of its mailbox at {@code nanos}: the queue wait ends. */
    public void taken(long nanos) {
        queueMs = (nanos - ingestNanos) / 1e6;
    }

    /** The frame's batch finished: its stage times, shared by the batch. */
    public void batchStages(double preprocess, double inference, double unproject) {
        preprocessMs = preprocess;
        inferenceMs = inference;
        unprojectMs = unproject;
    }

    /** The frame's batch ran its stabilisers in {@code ms}; NaN when none ran. */
    public void stabilised(double ms) {
        stabiliseMs = ms;
    }

    /** The frame's message took {@code ms} to encode. */
    public void encoded(double ms) {
        encodeMs = ms;
    }

    public long ingestNanos() {
        return ingestNanos;
    }

    public long ingestEpochUs() {
        return ingestEpochUs;
    }

    public double ingest() {
        return ingestMs;
    }

    public double queue() {
        return queueMs;
    }

    public double preprocess() {
        return preprocessMs;
    }

    public double inference() {
        return inferenceMs;
    }

    public double unproject() {
        return unprojectMs;
    }

    /** NaN when no stabiliser ran. */
    public double stabilise() {
        return stabiliseMs;
    }

    public double encode() {
        return encodeMs;
    }
}
