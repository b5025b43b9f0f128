/**
 * A GPU-like cost model as a {@code ModelRuntime} ({@code --backend simulated}): FIXED + PER_ITEM × n
 * ms of sleep around a cheap depth formula, to load-test scheduling without a GPU. Threads: the
 * inference executor's only.
 */
package dev.depthcast.backend.simulated;
