package dev.depthcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.config.ServerConfig;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * --tls-cert/--tls-key serve the API over https (browsers give the camera only on https off localhost):
 * TLS 1.2+, forward-secret AEAD suites only, ALPN h2; a bad pair is refused at start.
 */
class TlsTest {

    @Test
    void servesHttpsWithPemFiles() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        ServerConfig config = ServerConfig.builder()
                .tls(Path.of(cert.certificatePath()), Path.of(cert.privateKeyPath()))
                .inferenceThreads(1)
                .build();
        try (DepthcastServer server = DepthcastServer.start(config)) {
            HttpClient client = HttpClient.newBuilder().sslContext(trustAll()).build();
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/api/stats"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("cpu-onnxruntime"));
            assertEquals(HttpClient.Version.HTTP_2, r.version(), "ALPN offers h2");
            assertTrue(
                    r.headers()
                            .firstValue("strict-transport-security")
                            .orElse("")
                            .contains("max-age="),
                    "HSTS on TLS");

            // Only TLS 1.2+ with forward-secret AEAD suites: a client offering anything else gets no handshake.
            assertEquals("TLSv1.3", handshake(server.port(), new String[] {"TLSv1.3"}, null));
            assertEquals(
                    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    handshake(server.port(), new String[] {"TLSv1.2"}, new String[] {
                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
                    }));
            for (String weak : new String[] {
                "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"
            }) {
                assertThrows(
                        SSLException.class,
                        () -> handshake(server.port(), new String[] {"TLSv1.2"}, new String[] {weak}),
                        weak);
            }
            assertThrows(
                    SSLException.class,
                    () -> handshake(
                            server.port(), new String[] {"TLSv1.1"}, new String[] {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
                            }));
        } finally {
            cert.delete();
        }
    }

    /** One handshake with the given protocols and suites; returns the protocol (or suite, when given) agreed. */
    static String handshake(int port, String[] protocols, String[] suites) throws Exception {
        SSLContext ctx = trustAll();
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.setEnabledProtocols(protocols);
            if (suites != null) {
                s.setEnabledCipherSuites(suites);
            }
            s.startHandshake();
            return suites == null
                    ? s.getSession().getProtocol()
                    : s.getSession().getCipherSuite();
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesOrAMissingFileIsOneLineAndExit2() throws Exception {
        SelfSignedCertificate a = SelfSignedCertificate.create("localhost");
        SelfSignedCertificate b = SelfSignedCertificate.create("localhost");
        try {
            StringWriter err = new StringWriter();
            int code = ServeCommand.run(
                    new PrintWriter(err),
                    "--port",
                    "0",
                    "--backend",
                    "cpu",
                    "--tls-cert",
                    a.certificatePath(),
                    "--tls-key",
                    b.privateKeyPath());
            assertEquals(2, code);
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
            assertTrue(err.toString().contains("does not belong to --tls-cert"), err.toString());

            err = new StringWriter();
            code = ServeCommand.run(
                    new PrintWriter(err),
                    "--port",
                    "0",
                    "--backend",
                    "cpu",
                    "--tls-cert",
                    "/nonexistent/cert.pem",
                    "--tls-key",
                    b.privateKeyPath());
            assertEquals(2, code);
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
            assertTrue(
                    err.toString().startsWith("depthcast: --tls-cert /nonexistent/cert.pem: no such file"),
                    err.toString());
        } finally {
            a.delete();
            b.delete();
        }
    }

    @Test
    void aPublicHostNeedsATokenOrAnExplicitNoAuth() {
        StringWriter err = new StringWriter();
        assertEquals(2, ServeCommand.run(new PrintWriter(err), "--host", "0.0.0.0", "--port", "0"));
        assertTrue(err.toString().contains("--auth-file") && err.toString().contains("--no-auth"), err.toString());
        err = new StringWriter();
        assertEquals(2, ServeCommand.run(new PrintWriter(err), "--auth-token", "short"));
        assertTrue(err.toString().contains("at least 16 characters"), err.toString());
    }

    static SSLContext trustAll() throws Exception {
        TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String type) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String type) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {tm}, null);
        return ctx;
    }
}
