/**
 * The inference executor: one thread that scans the clients' mailboxes ({@code ClientScan}), lets
 * {@code BatchPlanner} choose a batch (oldest-ready first, at most max batch, waiting at most max
 * wait), runs it on the pipeline and hands the outcome to the delivery stage. Threads: the
 * executor's own; mailboxes wake it.
 */
package dev.depthcast.schedule;
