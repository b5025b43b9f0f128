package dev.depthcast.webrtc;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.internal.NativeObject;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a peer connection and gives back the native reference that webrtc-java 0.14 keeps.
 *
 * <p>Why: webrtc-java's {@code createPeerConnection} hands the Java object a libwebrtc reference
 * that nothing releases — {@code close()} closes the connection and forgets the pointer — so every
 * peer connection's native state (~140 KB, measured) stays for the life of the process. That was
 * the soak's native memory growth (docs/security.md). Here the object's {@code Release()} is
 * called through its vtable right after {@code close()}: libwebrtc's {@code RefCountInterface}
 * declares {@code AddRef()} and then {@code Release()}, so Release is slot 1 on x86-64 (Itanium
 * C++ ABI, {@code this} as the first argument), and it returns 0 when it dropped the last
 * reference. Only for the webrtc-java version this was checked against: a version that releases
 * the reference itself would be released twice, so any other version (or no JNA) keeps the leak
 * and says so once in the log. {@code PeerConnectionReleaseTest} checks the status on real
 * connections.
 */
final class PeerConnectionRelease {

    static final String CHECKED_VERSION = "0.14.0";
    /** Slot 1 of the vtable, 8-byte pointers (checked in {@link #check()}). */
    private static final long RELEASE_SLOT_OFFSET = 8;
    /** libwebrtc's RefCountReleaseStatus::kDroppedLastRef. */
    static final int DROPPED_LAST_REF = 0;

    private static final Logger LOG = LoggerFactory.getLogger(PeerConnectionRelease.class);
    private static final Field HANDLE = handleField();
    private static final boolean ENABLED = check();

    private PeerConnectionRelease() {}

    /** Whether {@link #close} releases the reference (this webrtc-java, this platform). */
    static boolean enabled() {
        return ENABLED;
    }

    /**
     * Closes {@code pc} and, where {@link #enabled()}, releases webrtc-java's reference to it.
     *
     * @return the release status (0: the connection was freed; 1: libwebrtc still holds it and
     *     frees it later), or -1 where nothing was released
     */
    static int close(RTCPeerConnection pc) {
        long handle = ENABLED ? handleOf(pc) : 0;
        pc.close();
        if (handle == 0) {
            return -1;
        }
        Pointer object = new Pointer(handle);
        Pointer release = object.getPointer(0).getPointer(RELEASE_SLOT_OFFSET);
        int status = Function.getFunction(release).invokeInt(new Object[] {object});
        // Any later call on the Java object must find no handle (webrtc-java then throws) rather
        // than the freed connection.
        forget(pc);
        return status;
    }

    private static void forget(NativeObject o) {
        try {
            HANDLE.setLong(o, 0);
        } catch (IllegalAccessException e) {
            // setAccessible succeeded in handleField(), so this does not happen
        }
    }

    private static long handleOf(NativeObject o) {
        try {
            return HANDLE.getLong(o);
        } catch (IllegalAccessException e) {
            return 0;
        }
    }

    private static Field handleField() {
        try {
            Field f = NativeObject.class.getDeclaredField("nativeHandle");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static boolean check() {
        String version = webrtcJavaVersion();
        String platform = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        String why = null;
        if (!CHECKED_VERSION.equals(version)) {
            why = "webrtc-java " + version + " is not the version this was checked against (" + CHECKED_VERSION + ")";
        } else if (!platform.equals("Linux/amd64")) {
            why = "the vtable layout was checked on Linux/amd64 only, this is " + platform;
        } else if (HANDLE == null) {
            why = "webrtc-java's native handle field was not found";
        } else {
            try {
                if (Native.POINTER_SIZE != 8) {
                    why = "pointers are " + Native.POINTER_SIZE + " bytes here";
                }
            } catch (LinkageError e) {
                why = "JNA could not load (" + e.getMessage() + ")";
            }
        }
        if (why != null) {
            LOG.warn("closed peer connections keep ~140 KB of native memory each: {}", why);
            return false;
        }
        return true;
    }

    private static String webrtcJavaVersion() {
        try (InputStream in = PeerConnectionFactory.class.getResourceAsStream(
                "/META-INF/maven/dev.onvoid.webrtc/webrtc-java/pom.properties")) {
            if (in == null) {
                return "(unknown)";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "(unknown)");
        } catch (IOException e) {
            return "(unknown)";
        }
    }
}
