/**
 * What the server is started with: {@code ServerConfig} (built by a builder) and the closed sets it
 * chooses from ({@code Backend}). Immutable values; no threads.
 */
package dev.depthcast.config;
