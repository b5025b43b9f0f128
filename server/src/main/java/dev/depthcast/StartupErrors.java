package dev.depthcast;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The command line's one place for bad input: checks made before anything starts, and the
 * mapping of any start-up failure to one line that names the input and what to do. Nothing
 * the user can cause ends in a stack trace ({@code --debug} prints it for developers).
 */
final class StartupErrors {

    /** A bad input, said in one line; exit status 2. */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message, null, false, false);
        }
    }

    private StartupErrors() {
    }

    /** Checks what can be checked before opening anything: files, address, port range, flag combinations. */
    static void check(ServeCommand c) {
        if (c.port < 0 || c.port > 65535) {
            throw new BadInput("--port " + c.port + " is not a port: pass 1..65535 (or 0 for any free port)");
        }
        try {
            InetAddress.getByName(c.host);
        } catch (UnknownHostException e) {
            throw new BadInput("--host " + c.host + " does not resolve to an address: pass 127.0.0.1 (this "
                    + "machine only), 0.0.0.0 (every interface) or one of this machine's addresses");
        }
        boolean simulated = c.simulate != null || "simulated".equals(c.backend);
        if (c.model == null && c.preset != null && !c.preset.equalsIgnoreCase("relief") && !simulated) {
            throw new BadInput("--preset " + c.preset + " needs --model FILE.onnx: without --model the embedded "
                    + "relief demo runs (brightness as depth, its own preset); pass --model, or leave --preset out");
        }
        if (c.model != null) {
            readable(c.model, "--model", "the path of an ONNX depth model, or leave --model out for the embedded relief demo");
            if (!looksLikeOnnx(c.model)) {
                throw new BadInput("--model " + c.model + " is not an ONNX model (an ONNX file is a protobuf "
                        + "ModelProto): export the model to .onnx first (README: Models)");
            }
        }
        if (c.engine != null) {
            readable(c.engine, "--engine", "the path of a TensorRT engine built by scripts/build-engine.sh");
            if (c.backend.equals("cpu") || simulated) {
                throw new BadInput("--engine " + c.engine + " is unused with --backend "
                        + (simulated ? "simulated" : c.backend) + ": pass --backend tensorrt (or auto), or leave --engine out");
            }
        }
        if (c.tlsCert != null || c.tlsKey != null) {
            if (c.tlsCert == null || c.tlsKey == null) {
                throw new BadInput((c.tlsCert == null ? "--tls-key" : "--tls-cert") + " needs "
                        + (c.tlsCert == null ? "--tls-cert" : "--tls-key") + " too: pass both PEM files (certificate and its private key)");
            }
            readable(c.tlsCert, "--tls-cert", "a PEM certificate (e.g. openssl req -x509 -newkey rsa:2048 -nodes "
                    + "-keyout key.pem -out cert.pem -subj /CN=localhost)");
            readable(c.tlsKey, "--tls-key", "the PEM private key of --tls-cert");
            pem(c.tlsCert, "--tls-cert", "CERTIFICATE", "a PEM certificate (a '-----BEGIN CERTIFICATE-----' block)");
            pem(c.tlsKey, "--tls-key", "PRIVATE KEY", "a PEM private key (a '-----BEGIN … PRIVATE KEY-----' block)");
        }
    }

    /** One line for any failure of the command (picocli's execution exception handler). */
    static String describe(Throwable e, ServeCommand c) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadInput) {
                return t.getMessage();
            }
            if (t instanceof BindException) {
                String m = String.valueOf(t.getMessage());
                if (m.contains("in use")) {
                    return "port " + c.port + " on " + c.host + " is in use (another depthcast, or another program): "
                            + "pass --port N for another port (--port 0 picks a free one), or stop the other server";
                }
                if (m.contains("assign requested address")) {
                    return "--host " + c.host + " is not an address of this machine: pass 127.0.0.1, 0.0.0.0 or one "
                            + "of this machine's addresses";
                }
                if (m.contains("ermission")) {
                    return "port " + c.port + " needs privileges to listen on: pass --port 1024 or above (default 8080)";
                }
                return "cannot listen on " + c.host + ":" + c.port + " (" + m + "): pass another --host/--port";
            }
            if (t instanceof UnknownHostException) {
                return "--host " + c.host + " does not resolve to an address: pass 127.0.0.1, 0.0.0.0 or one of this "
                        + "machine's addresses";
            }
            String cls = t.getClass().getName();
            if (cls.equals("ai.onnxruntime.OrtException")) {
                return (c.model != null ? "--model " + c.model : "the embedded model") + " could not be loaded by ONNX Runtime ("
                        + firstLine(t.getMessage()).replaceFirst("^Error code - ", "") + "): check it is an ONNX depth model "
                        + "exported with opset 17 or older (README: Models)";
            }
            if (c.tlsCert != null && isTlsFailure(t)) {
                return "--tls-cert " + c.tlsCert + " / --tls-key " + c.tlsKey + " could not be used ("
                        + firstLine(t.getMessage()) + "): pass a PEM certificate and the private key that belongs to it";
            }
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            String m = firstLine(e.getMessage());
            if (m.startsWith("--backend tensorrt:")) {
                m += ": on this machine pass --backend auto (falls back to the CPU) or cpu";
            }
            return m;
        }
        return "could not start: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
                + " (run with --debug for the stack trace)";
    }

    private static final java.util.regex.Pattern TLS_WORDS =
            java.util.regex.Pattern.compile("(?i)pkcs|\\bpem\\b|x\\.?509|certificate|private key|ssl|tls|keystore");

    /** Whether a failure came from reading or using the TLS certificate and key. */
    static boolean isTlsFailure(Throwable t) {
        String cls = t.getClass().getName();
        return cls.startsWith("javax.net.ssl") || cls.startsWith("java.security")
                || (cls.startsWith("io.vertx") && TLS_WORDS.matcher(String.valueOf(t.getMessage())).find());
    }

    /** Exit status: 2 for input the user can fix, 1 for anything else. */
    static int exitCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (isTlsFailure(t)) {
                return 2;
            }
            if (t instanceof BadInput || t instanceof BindException || t instanceof UnknownHostException
                    || t instanceof IllegalArgumentException || String.valueOf(t.getMessage()).startsWith("--") || t.getClass().getName().equals("ai.onnxruntime.OrtException")) {
                return 2;
            }
        }
        return 1;
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
            throw new BadInput(flag + " " + p + ": no such file; give " + what);
        }
        if (Files.isDirectory(p)) {
            throw new BadInput(flag + " " + p + " is a directory; give " + what);
        }
        if (!Files.isReadable(p)) {
            throw new BadInput(flag + " " + p + " is not readable by this user; fix its permissions, or give " + what);
        }
    }

    /**
     * An ONNX file is a protobuf ModelProto: its first field is ir_version (field 1, varint: byte 0x08)
     * or, from some exporters, another ModelProto field; text, zip or PLY files start otherwise.
     */
    static boolean looksLikeOnnx(Path p) {
        try (var in = Files.newInputStream(p)) {
            int b = in.read();
            // tag = field << 3 | wire type: 1 ir_version/varint (0x08), 2..8 strings/messages (0x12..0x42), 14 (0x72), 20 (0xa2 0x01)
            return b == 0x08 || b == 0x12 || b == 0x1a || b == 0x22 || b == 0x2a || b == 0x32 || b == 0x3a
                    || b == 0x42 || b == 0x72 || b == 0xa2;
        } catch (IOException e) {
            throw new BadInput("--model " + p + " could not be read (" + e.getMessage() + ")");
        }
    }

    private static void pem(Path p, String flag, String kind, String what) {
        String text;
        try {
            byte[] head = Files.readAllBytes(p);
            text = new String(head, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new BadInput(flag + " " + p + " could not be read (" + e.getMessage() + ")");
        }
        boolean ok = kind.equals("CERTIFICATE")
                ? text.contains("-----BEGIN CERTIFICATE-----")
                : text.matches("(?s).*-----BEGIN [A-Z ]*PRIVATE KEY-----.*");
        if (!ok) {
            throw new BadInput(flag + " " + p + " is not " + what + ": give the PEM file"
                    + (kind.equals("CERTIFICATE") ? "" : " holding the key that belongs to --tls-cert"));
        }
    }
}
