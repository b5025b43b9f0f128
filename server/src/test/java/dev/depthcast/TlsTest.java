package dev.depthcast;

import dev.depthcast.config.ServerConfig;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --tls-cert/--tls-key serve the API over https (browsers give the camera only on https off localhost). */
class TlsTest {

    @Test
    void servesHttpsWithPemFiles() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        ServerConfig config = ServerConfig.builder().tls(Path.of(cert.certificatePath()),
                Path.of(cert.privateKeyPath())).inferenceThreads(1).build();
        try (DepthcastServer server = DepthcastServer.start(config)) {
            HttpClient client = HttpClient.newBuilder().sslContext(trustAll()).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + server.port() + "/api/stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("cpu-onnxruntime"));
        } finally {
            cert.delete();
        }
    }

    static SSLContext trustAll() throws Exception {
        TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String type) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String type) {
            }

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
