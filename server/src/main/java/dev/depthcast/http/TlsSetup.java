package dev.depthcast.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.X509KeyManager;

/**
 * TLS like a modern server: TLS 1.2 and 1.3 only, forward-secret AEAD suites only (ECDHE with
 * AES-GCM or ChaCha20-Poly1305; TLS 1.3's three), ALPN offering h2 and http/1.1 — and the
 * certificate and key checked as a pair before the server starts, so a key that does not belong
 * to the certificate is a one-line error at start rather than every handshake failing silently.
 */
public final class TlsSetup {

    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsSetup() {}

    /** Checks the pair, then sets TLS on the options. Throws IllegalArgumentException with a one-line reason. */
    public static void apply(Vertx vertx, HttpServerOptions options, Path cert, Path key) {
        PemKeyCertOptions pem = checkPair(vertx, cert, key);
        options.setSsl(true)
                .setKeyCertOptions(pem)
                .setEnabledSecureTransportProtocols(PROTOCOLS)
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setSslHandshakeTimeout(10);
        for (String suite : CIPHER_SUITES) {
            options.addEnabledCipherSuite(suite);
        }
    }

    /**
     * Reads both files and proves the key belongs to the certificate by signing and verifying.
     * The options returned carry the bytes that were checked (not the paths): a reload
     * ({@link TlsReload}) then serves exactly what passed the check, even if the files change again
     * in between.
     */
    public static PemKeyCertOptions checkPair(Vertx vertx, Path cert, Path key) {
        readable(cert, "--tls-cert");
        readable(key, "--tls-key");
        PemKeyCertOptions pem;
        try {
            pem = new PemKeyCertOptions()
                    .setCertValue(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(cert)))
                    .setKeyValue(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(key)));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--tls-cert " + cert + " / --tls-key " + key + ": " + firstLine(e));
        }
        X509KeyManager keys;
        try {
            keys = (X509KeyManager) pem.getKeyManagerFactory(vertx).getKeyManagers()[0];
        } catch (Exception e) {
            throw new IllegalArgumentException("--tls-cert " + cert + " / --tls-key " + key
                    + ": not a PEM certificate and private key (" + firstLine(e) + ")");
        }
        try {
            for (String type : new String[] {"RSA", "EC", "EdDSA", "Ed25519", "Ed448"}) {
                String[] aliases = keys.getServerAliases(type, null);
                if (aliases == null || aliases.length == 0) {
                    continue;
                }
                PrivateKey privateKey = keys.getPrivateKey(aliases[0]);
                X509Certificate[] chain = keys.getCertificateChain(aliases[0]);
                if (privateKey == null || chain == null || chain.length == 0) {
                    continue;
                }
                X509Certificate leaf = chain[0];
                if (!belongTogether(privateKey, leaf)) {
                    throw new IllegalArgumentException("--tls-key " + key + " does not belong to --tls-cert " + cert
                            + " (a signature made with the key does not verify with the certificate's public key)");
                }
                try {
                    leaf.checkValidity();
                } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                    throw new IllegalArgumentException("--tls-cert " + cert + " is not valid now: it runs from "
                            + leaf.getNotBefore().toInstant() + " to "
                            + leaf.getNotAfter().toInstant());
                }
                return pem;
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("--tls-cert " + cert + " / --tls-key " + key + ": " + firstLine(e));
        }
        throw new IllegalArgumentException(
                "--tls-cert " + cert + " / --tls-key " + key + ": no certificate with a private key found");
    }

    private static boolean belongTogether(PrivateKey key, X509Certificate cert) throws Exception {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new IllegalArgumentException("--tls-key: unsupported key type " + key.getAlgorithm());
        };
        byte[] challenge = "depthcast key/certificate pair check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        try {
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (java.security.InvalidKeyException e) {
            return false; // e.g. an EC key against an RSA certificate
        }
    }

    private static void readable(Path p, String flag) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(flag + " " + p + ": no such file");
        }
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(flag + " " + p + ": not readable by this user");
        }
    }

    /** The certificate's subject, expiry and SHA-256 fingerprint, for the log. */
    static String describe(Vertx vertx, PemKeyCertOptions pem) {
        try {
            X509KeyManager keys =
                    (X509KeyManager) pem.getKeyManagerFactory(vertx).getKeyManagers()[0];
            for (String type : new String[] {"RSA", "EC", "EdDSA", "Ed25519", "Ed448"}) {
                String[] aliases = keys.getServerAliases(type, null);
                if (aliases != null && aliases.length > 0) {
                    X509Certificate leaf = keys.getCertificateChain(aliases[0])[0];
                    return leaf.getSubjectX500Principal().getName() + ", valid until "
                            + leaf.getNotAfter().toInstant() + ", SHA-256 " + fingerprint(leaf);
                }
            }
        } catch (Exception e) {
            return "(" + firstLine(e) + ")";
        }
        return "(no certificate)";
    }

    /** SHA-256 of the certificate's DER encoding, hex, as {@code openssl x509 -fingerprint -sha256} shows it. */
    public static String fingerprint(X509Certificate cert) throws Exception {
        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        StringBuilder b = new StringBuilder();
        for (byte x : d) {
            b.append(b.length() == 0 ? "" : ":").append(String.format("%02X", x));
        }
        return b.toString();
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
