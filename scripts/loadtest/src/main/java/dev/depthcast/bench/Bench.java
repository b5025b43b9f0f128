package dev.depthcast.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link PipelineBench} with JMH and prints a ms/op table (scripts/bench.sh).
 * {@code --quick}: 1 warm-up and 3 measured 1 s iterations instead of 3 and 5 (a smoke run).
 * Any other argument is a regex of benchmarks to run, e.g. {@code encode}.
 */
public final class Bench {

    private Bench() {}

    /** What a benchmark case works on, for the table. */
    static String input(String stage, String points) {
        PipelineBench b = new PipelineBench();
        b.points = points;
        int[] d = b.describe();
        return switch (stage) {
            case "preprocess" -> "640x480 -> " + d[1] + "x" + d[0];
            case "unproject" -> d[0] + "x" + d[1] + "/3 -> " + d[2] + " pts";
            case "stabilise" -> d[0] + "x" + d[1] + " grid";
            case "encodeV2", "decodeV2" -> "scene " + d[4] + " pts, " + d[5] / 1000 + " KB";
            default -> d[2] + " pts, " + d[3] / 1000 + " KB";
        };
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        String filter = PipelineBench.class.getSimpleName();
        for (String a : args) {
            if ("--quick".equals(a)) {
                quick = true;
            } else if ("-h".equals(a) || "--help".equals(a)) {
                System.out.println("usage: scripts/bench.sh [--quick] [REGEX]   (REGEX: e.g. encode, unproject)");
                return;
            } else {
                filter = PipelineBench.class.getSimpleName() + "\\..*" + a;
            }
        }
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(filter)
                .verbosity(VerboseMode.NORMAL)
                .shouldFailOnError(true);
        if (quick) {
            o.warmupIterations(1)
                    .measurementIterations(3)
                    .warmupTime(TimeValue.seconds(1))
                    .measurementTime(TimeValue.seconds(1));
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing((RunResult r) -> r.getParams().getBenchmark())
                .thenComparing(r -> r.getParams().getParam("points")));
        System.out.println();
        System.out.printf("%-12s %-6s %-26s %10s %10s%n", "stage", "case", "input", "ms/op", "± (99.9%)");
        for (RunResult r : sorted) {
            Result<?> p = r.getPrimaryResult();
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String points = r.getParams().getParam("points");
            System.out.printf(
                    Locale.ROOT,
                    "%-12s %-6s %-26s %10.3f %10.3f%n",
                    name,
                    points,
                    input(name, points),
                    p.getScore(),
                    p.getScoreError());
        }
        System.out.println("(one thread, " + Runtime.getRuntime().availableProcessors()
                + " cores; preprocess at \"85k\" writes a 756x1008 tensor, at \"21k\" the default 378x504)");
    }
}
