package dev.depthcast.bench;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.Backend;
import dev.depthcast.config.EnginePrecision;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.BuiltInPreset;
import dev.depthcast.model.Preset;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.schedule.BatchCostCalibration;
import dev.depthcast.schedule.BatchCosts;
import dev.depthcast.schedule.SchedulingPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-frame cost of the CPU backend's engines through the serving path (scripts/cpu-engine-bench.sh):
 * for each input size, the FP32 and INT8 engines that build-engine.sh --backend cpu put under
 * engines/, opened the way the server opens them ({@code --precision fp32 / int8}), a 640×480 frame
 * preprocessed, inferred and unprojected ({@link DepthPipeline#run}) at batch 1 and at the batch
 * size the server learns at start ({@link BatchCostCalibration}, the size with the most results a
 * second). The engines alternate run by run, so the machine's other work weighs on both alike;
 * each figure is the median of the medians of {@code --rounds} rounds.
 *
 * <p>Arguments: {@code --onnx FILE --preset NAME [--sizes 378x504,266x350] [--rounds 3] [--runs 3]
 * [--threads N]}.
 */
public final class CpuEngineBench {

    private CpuEngineBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(
                Map.of("--preset", "depth-anything-v2", "--sizes", "378x504,266x350", "--rounds", "3", "--runs", "3"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        if (!a.containsKey("--onnx")) {
            System.err.println("cpu-engine-bench: --onnx FILE is required (the model the engines were built from)");
            System.exit(2);
        }
        int rounds = Integer.parseInt(a.get("--rounds"));
        int runs = Integer.parseInt(a.get("--runs"));
        int threads = Integer.parseInt(
                a.getOrDefault("--threads", "" + Runtime.getRuntime().availableProcessors()));
        System.out.printf(
                Locale.ROOT,
                "size     precision engine                                        batch  ms/frame (median of %d rounds × %d runs)%n",
                rounds,
                runs);
        for (String size : a.get("--sizes").split(",")) {
            String[] hw = size.split("x");
            Preset preset = BuiltInPreset.parse(a.get("--preset"))
                    .preset()
                    .withInputSize(Integer.parseInt(hw[0]), Integer.parseInt(hw[1]));
            List<DepthPipeline> pipelines = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            try {
                for (EnginePrecision p : List.of(EnginePrecision.FP32, EnginePrecision.INT8)) {
                    ServerConfig config = ServerConfig.builder()
                            .backend(Backend.CPU)
                            .preset(preset)
                            .model(Path.of(a.get("--onnx")))
                            .precision(p)
                            .inferenceThreads(threads)
                            .build();
                    pipelines.add(Backends.open(config));
                    labels.add(p.label());
                }
                // The batch size each engine's server would prefer, learned as at start.
                int[] learned = new int[pipelines.size()];
                for (int e = 0; e < pipelines.size(); e++) {
                    SchedulingPolicy policy = new SchedulingPolicy(4, Duration.ofMillis(5));
                    BatchCosts costs =
                            BatchCostCalibration.measure(pipelines.get(e), policy, BatchCostCalibration.DEFAULT_BUDGET);
                    learned[e] = 1;
                    for (int n = 2; n <= policy.maxBatch(); n++) {
                        if (costs.measured(n) && costs.resultsPerSecond(n) > costs.resultsPerSecond(learned[e])) {
                            learned[e] = n;
                        }
                    }
                }
                for (int batch : batchSizes(learned)) {
                    double[][] medians = new double[pipelines.size()][rounds];
                    List<BatchItem> items = frames(batch);
                    for (int r = 0; r < rounds; r++) {
                        double[][] t = new double[pipelines.size()][runs];
                        for (int k = 0; k < runs; k++) {
                            for (int e = 0; e < pipelines.size(); e++) {
                                long t0 = System.nanoTime();
                                BatchResult res = pipelines.get(e).run(items);
                                t[e][k] = (System.nanoTime() - t0) / 1e6 / batch;
                                if (res == null) {
                                    throw new IllegalStateException("no result");
                                }
                            }
                        }
                        for (int e = 0; e < pipelines.size(); e++) {
                            medians[e][r] = median(t[e]);
                        }
                    }
                    double fp32 = median(medians[0]);
                    for (int e = 0; e < pipelines.size(); e++) {
                        double ms = median(medians[e]);
                        System.out.printf(
                                Locale.ROOT,
                                "%-8s %-9s %-45s %5s  %8.1f%s%n",
                                size,
                                labels.get(e),
                                pipelines.get(e).engine(),
                                batch + (batch == learned[e] ? "*" : ""),
                                ms,
                                e == 0 ? "" : String.format(Locale.ROOT, "  (%.2f× fp32)", fp32 / ms));
                    }
                }
            } finally {
                pipelines.forEach(DepthPipeline::close);
            }
        }
        System.out.println("* the batch size the server learns at start for that engine (most results a second)");
    }

    private static List<Integer> batchSizes(int[] learned) {
        List<Integer> sizes = new ArrayList<>(List.of(1));
        for (int n : learned) {
            if (!sizes.contains(n)) {
                sizes.add(n);
            }
        }
        return sizes;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** A camera-sized textured frame in every slot (the model's cost does not depend on the content). */
    private static List<BatchItem> frames(int n) {
        int w = 640;
        int h = 480;
        byte[] y = new byte[w * h];
        for (int r = 0; r < h; r++) {
            for (int x = 0; x < w; x++) {
                y[r * w + x] = (byte) (40 + (x * 3 + r * 2) % 180);
            }
        }
        byte[] u = new byte[I420Frame.chromaSize(w, h)];
        byte[] v = new byte[I420Frame.chromaSize(w, h)];
        Arrays.fill(u, (byte) 128);
        Arrays.fill(v, (byte) 128);
        List<BatchItem> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(new BatchItem(
                    new I420Frame(w, h, y, u, v, i, 0, System.nanoTime(), 0, 0), UnprojectParams.DEFAULT));
        }
        return items;
    }
}
