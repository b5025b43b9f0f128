package dev.depthcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.config.ServerConfig;
import dev.depthcast.http.TlsReload;
import dev.depthcast.http.TlsSetup;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate renewal without a restart: the server starts with pair A; the files become pair B
 * and, once they have been still for a poll, new connections get B; a key that does not belong
 * to the new certificate keeps B serving; SIGHUP reloads at once.
 */
class TlsReloadTest {

    @Test
    void aNewPairIsServedAfterAFileChangeOrSighupAndABadOneKeepsTheOld(@TempDir Path dir) throws Exception {
        SelfSignedCertificate a = SelfSignedCertificate.create("localhost");
        SelfSignedCertificate b = SelfSignedCertificate.create("localhost");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        install(a.certificatePath(), a.privateKeyPath(), cert, key);
        String fpA = fingerprint(a.certificatePath());
        String fpB = fingerprint(b.certificatePath());
        assertNotEquals(fpA, fpB);
        ServerConfig config =
                ServerConfig.builder().tls(cert, key).inferenceThreads(1).build();
        try (DepthcastServer server = DepthcastServer.start(config)) {
            TlsReload reload = server.tlsReload();
            assertNotNull(reload);
            assertEquals(fpA, served(server.port()));

            // Renewal: the files change; the poll notices, waits until they have been still for
            // one poll (a renewal writes two files) and reloads.
            install(b.certificatePath(), b.privateKeyPath(), cert, key);
            assertEquals(fpB, servedWithin(server.port(), fpB, 30), "new connections get the new certificate");
            TlsReload.Outcome done = reload.last();
            assertTrue(
                    done.reloaded()
                            && done.message().contains(fpB)
                            && done.message().contains("the certificate files changed"),
                    done.message());

            // A key that is not the certificate's: refused in one line, B keeps serving, not retried.
            int before = reload.attempts();
            install(a.certificatePath(), b.privateKeyPath(), cert, key);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (reload.attempts() == before && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            TlsReload.Outcome refused = reload.last();
            assertFalse(refused.reloaded(), refused.message());
            assertTrue(
                    refused.message().contains("does not belong to --tls-cert")
                            && refused.message().contains("still serving the previous certificate"),
                    refused.message());
            assertEquals(1, refused.message().lines().count());
            assertEquals(fpB, served(server.port()));
            int afterRefusal = reload.attempts();
            Thread.sleep(3 * 3000 + 500);
            assertEquals(afterRefusal, reload.attempts(), "a refused pair is not retried until a file changes");

            // SIGHUP: at once, no poll needed.
            install(a.certificatePath(), a.privateKeyPath(), cert, key);
            assertTrue(TlsReload.sighupInstalled(), "SIGHUP is handled on this JVM");
            sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
            assertEquals(fpA, servedWithin(server.port(), fpA, 20), "SIGHUP reloaded pair A");

            // The explicit reload also refuses a bad pair the same way.
            Files.writeString(key, "not a key");
            TlsReload.Outcome garbage = reload.reload("test")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            assertFalse(garbage.reloaded());
            assertTrue(garbage.message().contains("not a PEM certificate and private key"), garbage.message());
            assertEquals(fpA, served(server.port()));
        } finally {
            a.delete();
            b.delete();
        }
    }

    /** Replaces the files as a renewal would: written aside, then renamed over (new inode, new mtime). */
    static void install(String certFrom, String keyFrom, Path cert, Path key) throws Exception {
        Path tc = cert.resolveSibling(cert.getFileName() + ".new");
        Path tk = key.resolveSibling(key.getFileName() + ".new");
        Files.copy(Path.of(certFrom), tc, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(keyFrom), tk, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tc, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tk, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String fingerprint(String pemPath) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of(pemPath))) {
            return TlsSetup.fingerprint(
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
    }

    /** The fingerprint served once it is {@code expected}, or the last one seen after {@code seconds}. */
    static String servedWithin(int port, String expected, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String now = served(port);
        while (!now.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            now = served(port);
        }
        return now;
    }

    /** The SHA-256 fingerprint of the certificate a new TLS connection is given. */
    static String served(int port) throws Exception {
        try (SSLSocket s = (SSLSocket) TlsTest.trustAll().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.startHandshake();
            return TlsSetup.fingerprint((X509Certificate) s.getSession().getPeerCertificates()[0]);
        }
    }
}
