/**
 * The inference executor: one thread per device ({@code InferenceExecutor}, placed by
 * {@code ExecutorPool}) running {@code ExecutorLoop}, which scans the clients' mailboxes
 * ({@code ClientScan}), lets {@code BatchPlanner} choose a batch (oldest-ready first, its size from
 * {@code BatchCosts} — the backend's cost per batch size, measured at start-up by
 * {@code BatchCostCalibration} and kept current by every batch — within the latency budget,
 * waiting at most max wait), runs it on the pipeline and hands the outcome to the delivery stage.
 * The loop is given its clock and its way to wait, so the fake-clock tests step the same loop on
 * simulated time. Threads: the executor's own, started in {@code start()}; mailboxes wake it.
 */
package dev.depthcast.schedule;
