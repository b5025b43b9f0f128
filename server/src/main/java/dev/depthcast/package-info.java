/**
 * Start-up: {@code ServeCommand} turns the command line into a {@code config.ServerConfig};
 * {@code DepthcastServer} wires the data path (webrtc → ingest → schedule → backend → delivery →
 * wire) and the HTTP server, and closes them in reverse. Threads: main, and a shutdown hook.
 */
package dev.depthcast;
