/**
 * What the server is started with: {@code ServerConfig} (built by a builder; every default a
 * {@code DEFAULT_*} constant that the command line's annotations read too), the values it is made
 * of ({@code DeviceSelection}, {@code IceConfig}, {@code PortRange}, ...) and the closed sets it
 * chooses from ({@code Backend}). A value that is wrong throws a {@code ConfigException} naming
 * its flag; a problem found while starting, a {@code StartupException} with its line and exit
 * status. Immutable values; no threads.
 */
package dev.depthcast.config;
