package dev.depthcast.bench;

import dev.depthcast.backend.ModelRuntime.DepthMaps;
import dev.depthcast.backend.simulated.SimulatedGpuModel;
import dev.depthcast.client.FramePainter;
import dev.depthcast.config.SimulatedCost;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import dev.depthcast.process.DepthStabiliser;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.Preprocessor;
import dev.depthcast.process.StabilisedMapping;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.process.Unprojector;
import dev.depthcast.wire.PointCloudMessage;
import dev.depthcast.wire.PointCloudMessage.Grid;
import dev.depthcast.wire.PointCloudMessage.Origin;
import dev.depthcast.wire.PointCloudMessage.Points;
import dev.depthcast.wire.PointCloudMessage.Serving;
import dev.depthcast.wire.PointCloudMessage.Timing;
import dev.depthcast.wire.V1Decoder;
import dev.depthcast.wire.V1Encoder;
import dev.depthcast.wire.V2Decoder;
import dev.depthcast.wire.V2Encoder;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The host pipeline's per-frame stages, one thread, ms per operation (scripts/bench.sh):
 * preprocessing a 640x480 I420 frame into the 378x504 NCHW tensor, unprojecting a depth grid, and
 * a session's depth stabiliser fitting the grid to its reference, and
 * msgpack-encoding the resulting point cloud — at ~21k points (378x504 grid, stride 3: the
 * default) and ~85k points (756x1008 grid, stride 3: a model run at twice the resolution).
 * Inputs: the load tester's moving-disc frame, depth from the simulated model (brightness +
 * ramp), so the edge filter drops about as many points as on a real scene; schema 2 (whose cost
 * and size follow the content) on {@code FramePainter.cameraScene()} with the same model.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PipelineBench {

    /** "21k" = 378x504 grid at stride 3; "85k" = 756x1008 grid at stride 3. */
    @Param({"21k", "85k"})
    public String points;

    private I420Frame frame;
    private Preprocessor preprocessor;
    private float[] tensor;
    private float[] depth;
    private int gridW;
    private int gridH;
    private final Unprojector unprojector = new Unprojector();
    private final UnprojectParams params = UnprojectParams.DEFAULT;
    private PointCloudMessage message;
    private byte[] encoded;
    private byte[] encodedV2;
    private PointCloudMessage sceneMessage;
    private final V1Encoder v1Encoder = new V1Encoder();
    private final V1Decoder v1Decoder = new V1Decoder();
    private final V2Encoder v2Encoder = new V2Encoder();
    private final V2Decoder v2Decoder = new V2Decoder();
    private final DepthStabiliser stabiliser = new DepthStabiliser();
    /** The depth grid as the model would give it next: drifted in scale and offset, so every fit moves. */
    private float[] drifted;

    private boolean driftedNext;

    @Setup(Level.Trial)
    public void setUp() {
        frame = frame(640, 480);
        Preset preset = "85k".equals(points) ? Preset.RELIEF.withInputSize(756, 1008) : Preset.RELIEF;
        preprocessor = new Preprocessor(preset);
        tensor = new float[preprocessor.tensorLength(1)];
        preprocessor.write(frame, tensor, 0);
        DepthMaps maps = new SimulatedGpuModel(preset, new SimulatedCost(0, 0)).infer(tensor, 1);
        depth = maps.data().clone();
        gridW = maps.width();
        gridH = maps.height();
        PointCloud c = unprojector.unproject(depth, 0, gridW, gridH, frame, params);
        message = benchMessage(c);
        drifted = new float[depth.length];
        for (int i = 0; i < depth.length; i++) {
            drifted[i] = 1.12f * depth[i] - 0.03f;
        }
        stabiliser.update(depth, 0, gridW, gridH, params.near(), params.far());
        encoded = v1Encoder.encode(message).bytes();
        // Schema 2's size and time depend on content: a textured, noisy camera-like scene, not the flat disc.
        I420Frame scene = frame(640, 480, FramePainter.cameraScene());
        preprocessor.write(scene, tensor, 0);
        float[] sceneDepth = new SimulatedGpuModel(preset, new SimulatedCost(0, 0))
                .infer(tensor, 1)
                .data()
                .clone();
        PointCloud s = new Unprojector().unproject(sceneDepth, 0, gridW, gridH, scene, params);
        sceneMessage = benchMessage(new PointCloud(
                s.count(),
                s.xyz().clone(),
                s.rgb().clone(),
                s.gridWidth(),
                s.gridHeight(),
                s.stride(),
                s.intrinsics(),
                s.near(),
                s.far()));
        encodedV2 = v2Encoder.encode(sceneMessage).bytes();
    }

    static PointCloudMessage benchMessage(PointCloud c) {
        return new PointCloudMessage(
                V1Encoder.VERSION,
                new Origin(1, 0, 0, 0, Origin.NO_TAG),
                Grid.of(c),
                Points.of(c),
                new Timing(0, 0, 0, 0, 0, 0),
                new Serving("relief", "bench", 1, 0, 0));
    }

    /** {grid width, grid height, points, v1 bytes, scene points, scene v2 bytes} of this case (sets it up). */
    int[] describe() {
        setUp();
        return new int[] {
            gridW,
            gridH,
            message.points().count(),
            encoded.length,
            sceneMessage.points().count(),
            encodedV2.length
        };
    }

    /** 640x480 → the preset's input (378x504 for "21k", 756x1008 for "85k"). */
    @Benchmark
    public float[] preprocess() {
        preprocessor.write(frame, tensor, 0);
        return tensor;
    }

    @Benchmark
    public PointCloud unproject() {
        return unprojector.unproject(depth, 0, gridW, gridH, frame, params);
    }

    /** A session's stabiliser fitting a frame to its reference (frames alternate between two drifts). */
    @Benchmark
    public StabilisedMapping stabilise() {
        driftedNext = !driftedNext;
        return stabiliser.update(driftedNext ? drifted : depth, 0, gridW, gridH, params.near(), params.far());
    }

    @Benchmark
    public byte[] encode() {
        return v1Encoder.encode(message).bytes();
    }

    /** The client side (load tester, Java client) of the same message. */
    @Benchmark
    public PointCloudMessage decode() throws Exception {
        return v1Decoder.decode(encoded);
    }

    /** Schema 2 (the default wire): grid cells, quantised depth and colour, deflated. */
    @Benchmark
    public byte[] encodeV2() {
        return v2Encoder.encode(sceneMessage).bytes();
    }

    /** Schema 2 back to xyz/rgb, as the Java client and the load tester read it. */
    @Benchmark
    public PointCloudMessage decodeV2() throws Exception {
        return v2Decoder.decode(encodedV2);
    }

    static I420Frame frame(int w, int h) {
        return frame(w, h, FramePainter.movingDisc());
    }

    static I420Frame frame(int w, int h, FramePainter painter) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        ByteBuffer y = ByteBuffer.allocate(w * h);
        ByteBuffer u = ByteBuffer.allocate(cw * ch);
        ByteBuffer v = ByteBuffer.allocate(cw * ch);
        painter.paint(17, w, h, y, w, u, cw, v, cw);
        return new I420Frame(w, h, y.array(), u.array(), v.array(), 1, 0, 0, 0, 0);
    }
}
