import dev.depthcast.client.DepthcastClient;
import dev.depthcast.webrtc.WebRtcEngine;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One viewer that streams until the server closes its results socket, then exits 0 when the close
 * was the drain's 4001 ("reconnect now"), 1 otherwise. It prints {@code streaming} once its first
 * result has arrived: scripts/container-test.sh stops the container then. Run as a single-file
 * program on the load tester's class path:
 * {@code java -cp scripts/loadtest/target/depthcast-loadtest.jar scripts/container/DrainProbe.java URL}
 */
public final class DrainProbe {
    private static final int DRAINING = 4001;

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        CountDownLatch firstResult = new CountDownLatch(1);
        try (WebRtcEngine engine = new WebRtcEngine();
                DepthcastClient viewer = DepthcastClient.connect(
                        engine, base, DepthcastClient.Options.of(320, 240, 15), r -> firstResult.countDown())) {
            if (!firstResult.await(60, TimeUnit.SECONDS)) {
                System.out.println("no result within 60 s");
                System.exit(1);
            }
            System.out.println("streaming");
            DepthcastClient.Closed closed = viewer.resultsClosed().get(120, TimeUnit.SECONDS);
            System.out.println("closed " + closed.code() + " " + closed.reason());
            System.out.flush();
            // webrtc-java's native threads can outlive main; the verdict is in the exit status.
            Runtime.getRuntime().halt(closed.code() == DRAINING ? 0 : 1);
        }
    }

    private DrainProbe() {}
}
