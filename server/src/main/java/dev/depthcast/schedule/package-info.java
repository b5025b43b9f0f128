/**
 * The inference executor: one thread that scans the clients' mailboxes ({@code ClientScan}), lets
 * {@code BatchPlanner} choose a batch (oldest-ready first, its size from {@code BatchCosts} — the
 * backend's cost per batch size, measured at start-up by {@code BatchCostCalibration} and kept
 * current by every batch — within the latency budget, waiting at most max wait), runs it on the
 * pipeline and hands the outcome to the delivery stage. Threads: the executor's own; mailboxes
 * wake it.
 */
package dev.depthcast.schedule;
