/**
 * The HTTP front's defences (docs/security.md):
 * {@code ConnectionGuard} caps open connections (in all and per address) and closes one that sends
 * no request headers in time; {@code AccessControl} checks the Host, the Origin, the bearer token
 * and that a POST is JSON; {@code BodyDeadline} answers 408 to a body that trickles in;
 * {@code AddressLimits} caps the sessions one address may hold and open a minute;
 * {@code WebSocketHandshake} refuses an upgrade whose key RFC 6455 does not allow, and
 * {@code WebSocketMessageLimit} closes a results socket with 1009 when a client message is too big;
 * {@code SecurityHeaders} sets the CSP and friends on every response; {@code ServerFaults} numbers
 * and rate-limits the log of our own 5xx. {@code TlsSetup} checks the certificate and key as a pair
 * before the server starts, and {@code TlsReload} swaps in a renewed pair without a restart.
 * {@code SecurityConfig} holds the settings. Threads: request handlers run on Vert.x event loops
 * (several at once, so shared counters are atomic or locked per address); {@code TlsReload} reads
 * the files on a Vert.x worker thread, and SIGHUP arrives on the JVM's signal thread.
 */
package dev.depthcast.http;
