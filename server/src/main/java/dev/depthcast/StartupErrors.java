package dev.depthcast;

import dev.depthcast.config.ConfigException;
import dev.depthcast.config.StartupException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The command line's one place for bad input: every check made before anything opens, and the
 * mapping of any start-up failure to one line that names the input and what to do, by the
 * failure's type alone. Problems found later are thrown where they are found as a
 * {@link ConfigException} (a value that is wrong: exit status 2) or a {@link StartupException}
 * (a port in use, a model ONNX Runtime refuses, a backend this machine cannot run: its own line and
 * status). Nothing the user can cause ends in a stack trace ({@code --debug} prints it for developers).
 */
final class StartupErrors {

    /** Exit status for a failure that is not the input's. */
    static final int EXIT_FAILURE = 1;

    /** What the command prints for a failure, and its exit status. */
    record Failure(String line, int exitCode) {}

    private StartupErrors() {}

    /** Checks what can be checked before opening anything: files, address, port, flag combinations. */
    static void check(ServeCommand c) throws IOException {
        if (c.port < 0 || c.port > 65535) {
            throw new ConfigException("--port " + c.port + " is not a port: pass 1..65535 (or 0 for any free port)");
        }
        try {
            InetAddress.getByName(c.host);
        } catch (UnknownHostException e) {
            throw new ConfigException(hostDoesNotResolve(c.host));
        }
        boolean simulated = c.simulate != null || "simulated".equals(c.backend);
        if (c.model == null && c.preset != null && !c.preset.equalsIgnoreCase("relief") && !simulated) {
            throw new ConfigException("--preset " + c.preset + " needs --model FILE.onnx: without --model the embedded "
                    + "relief demo runs (brightness as depth, its own preset); pass --model, or leave --preset out");
        }
        if (c.model != null) {
            readable(
                    c.model,
                    "--model",
                    "the path of an ONNX depth model, or leave --model out for the embedded relief demo");
            if (!looksLikeOnnx(c.model)) {
                throw new ConfigException("--model " + c.model + " is not an ONNX model (an ONNX file is a protobuf "
                        + "ModelProto): export the model to .onnx first (README: Models)");
            }
            if (c.preset == null) {
                throw new ConfigException("--model needs --preset (depth-anything-v2 or midas-small) so "
                        + "the server knows its input size, normalisation and output");
            }
        }
        if (c.inputSize != null) {
            String[] hw = c.inputSize.toLowerCase().split("x");
            if (hw.length != 2
                    || !hw[0].trim().matches("[1-9][0-9]{0,4}")
                    || !hw[1].trim().matches("[1-9][0-9]{0,4}")) {
                throw new ConfigException(
                        "--input-size " + c.inputSize + " is not HxW: pass height x width in pixels, e.g. 378x504");
            }
        }
        if (c.modelOutput != null && !c.modelOutput.trim().matches("(?i)relative|metric")) {
            throw new ConfigException("--model-output " + c.modelOutput + " is not relative or metric: relative for "
                    + "inverse depth of unknown scale (Depth Anything V2, MiDaS), metric for depth in metres");
        }
        if (!c.stabilize.trim().matches("(?i)on|off")) {
            throw new ConfigException("--stabilize " + c.stabilize + " is not on or off");
        }
        if (c.engine != null) {
            readable(c.engine, "--engine", "the path of a TensorRT engine built by scripts/build-engine.sh");
            if (c.backend.equals("cpu") || simulated) {
                throw new ConfigException(
                        "--engine " + c.engine + " is unused with --backend " + (simulated ? "simulated" : c.backend)
                                + ": pass --backend tensorrt (or auto), or leave --engine out");
            }
        }
        if (c.tlsCert != null || c.tlsKey != null) {
            if (c.tlsCert == null || c.tlsKey == null) {
                throw new ConfigException((c.tlsCert == null ? "--tls-key" : "--tls-cert") + " needs "
                        + (c.tlsCert == null ? "--tls-cert" : "--tls-key")
                        + " too: pass both PEM files (certificate and its private key)");
            }
            readable(
                    c.tlsCert,
                    "--tls-cert",
                    "a PEM certificate (e.g. openssl req -x509 -newkey rsa:2048 -nodes "
                            + "-keyout key.pem -out cert.pem -subj /CN=localhost)");
            readable(c.tlsKey, "--tls-key", "the PEM private key of --tls-cert");
            pem(c.tlsCert, "--tls-cert", "CERTIFICATE", "a PEM certificate (a '-----BEGIN CERTIFICATE-----' block)");
            pem(c.tlsKey, "--tls-key", "PRIVATE KEY", "a PEM private key (a '-----BEGIN … PRIVATE KEY-----' block)");
        }
        if (c.ice.turnSecret != null && c.ice.turnUser != null) {
            throw new ConfigException("give either --turn-secret or --turn-user/--turn-pass, not both");
        }
        if (c.access.authTokens().isEmpty() && !c.access.noAuth && !HttpFront.isLoopback(c.host)) {
            throw new ConfigException("--host " + c.host + " is reachable from other machines: give "
                    + "--auth-file FILE (or --auth-token), or --no-auth to serve without a token (docs/security.md)");
        }
    }

    /**
     * The line and exit status for any failure of the command (picocli's execution exception
     * handler): the first {@link StartupException} or {@link IllegalArgumentException} (a value
     * refused where it was used) in the chain of causes; an {@link IllegalStateException}'s own
     * message; else the class and message, with a pointer to {@code --debug}.
     */
    static Failure classify(Throwable e, ServeCommand c) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StartupException s) {
                return new Failure(s.getMessage(), s.exitCode());
            }
            if (t instanceof IllegalArgumentException) {
                return new Failure(firstLine(t.getMessage()), StartupException.EXIT_BAD_INPUT);
            }
            if (t instanceof UnknownHostException) {
                return new Failure(hostDoesNotResolve(c.host), StartupException.EXIT_BAD_INPUT);
            }
        }
        if (e instanceof IllegalStateException) {
            return new Failure(firstLine(e.getMessage()), EXIT_FAILURE);
        }
        return new Failure(
                "could not start: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
                        + " (run with --debug for the stack trace)",
                EXIT_FAILURE);
    }

    private static String hostDoesNotResolve(String host) {
        return "--host " + host + " does not resolve to an address: pass 127.0.0.1 (this "
                + "machine only), 0.0.0.0 (every interface) or one of this machine's addresses";
    }

    static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    private static void readable(Path p, String flag, String what) {
        if (!Files.exists(p)) {
            throw new ConfigException(flag + " " + p + ": no such file; give " + what);
        }
        if (Files.isDirectory(p)) {
            throw new ConfigException(flag + " " + p + " is a directory; give " + what);
        }
        if (!Files.isReadable(p)) {
            throw new ConfigException(
                    flag + " " + p + " is not readable by this user; fix its permissions, or give " + what);
        }
    }

    /**
     * An ONNX file is a protobuf ModelProto: its first field is ir_version (field 1, varint: byte 0x08)
     * or, from some exporters, another ModelProto field; text, zip or PLY files start otherwise.
     */
    static boolean looksLikeOnnx(Path p) {
        try (var in = Files.newInputStream(p)) {
            int b = in.read();
            // tag = field << 3 | wire type: 1 ir_version/varint (0x08), 2..8 strings/messages (0x12..0x42), 14 (0x72),
            // 20 (0xa2 0x01)
            return b == 0x08 || b == 0x12 || b == 0x1a || b == 0x22 || b == 0x2a || b == 0x32 || b == 0x3a || b == 0x42
                    || b == 0x72 || b == 0xa2;
        } catch (IOException e) {
            throw new ConfigException("--model " + p + " could not be read (" + e.getMessage() + ")");
        }
    }

    private static void pem(Path p, String flag, String kind, String what) {
        String text;
        try {
            byte[] head = Files.readAllBytes(p);
            text = new String(head, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigException(flag + " " + p + " could not be read (" + e.getMessage() + ")");
        }
        boolean ok = kind.equals("CERTIFICATE")
                ? text.contains("-----BEGIN CERTIFICATE-----")
                : text.matches("(?s).*-----BEGIN [A-Z ]*PRIVATE KEY-----.*");
        if (!ok) {
            throw new ConfigException(flag + " " + p + " is not " + what + ": give the PEM file"
                    + (kind.equals("CERTIFICATE") ? "" : " holding the key that belongs to --tls-cert"));
        }
    }
}
