/**
 * Start-up: {@code ServeCommand} turns the command line into a {@code config.ServerConfig} and an
 * {@code http.SecurityConfig} (flag groups with a {@code toX()} each: {@code AccessOptions},
 * {@code GeometryOptions}, {@code IceOptions}), after {@code StartupErrors} has checked the flags
 * (it also maps any start-up failure, by type, to one line and an exit status). {@code DepthcastServer} is the one
 * place that assembles the server: constructed with its settings, {@code start()} opens the
 * backend and builds {@code DeviceAssembly} (per device: executor and delivery stage), the
 * sessions and {@code HttpFront} (routers, options, admin server, page, health and drain
 * endpoints), with {@code ServerStats} as the view behind /api/stats; {@code stop()} closes them
 * in reverse, also after a start that failed part-way. Threads: main, and a shutdown hook.
 */
package dev.depthcast;
