package dev.depthcast.groundtruth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code --assert} lets pass and what it fails, on made-up outcomes. */
class GeometryBenchTest {

    static final BenchRun.Spec STABILISED = new BenchRun.Spec(
            "relative, stabilize on", TruthRuntime.Output.RELATIVE, List.of("--stabilize", "on"), null, 70.0);
    static final BenchRun.Spec UNSTABILISED = new BenchRun.Spec(
            "relative, stabilize off", TruthRuntime.Output.RELATIVE, List.of("--stabilize", "off"), List.of(), 70.0);
    static final BenchRun.Spec METRIC = new BenchRun.Spec(
            "metric, true hfov sent", TruthRuntime.Output.METRIC, List.of("--model-output", "metric"), null, 70.0);
    static final BenchRun.Spec METRIC_DEFAULT_FOV = new BenchRun.Spec(
            "metric, hfov not sent", TruthRuntime.Output.METRIC, List.of("--model-output", "metric"), null, null);

    @Test
    void runsThatMeetTheTargetsPass() {
        List<BenchRun.Outcome> all = List.of(
                outcome(UNSTABILISED, 0.40, 0.30, 0.3, 0.5, 70.0),
                outcome(STABILISED, 0.019, 0.019, 0.2, 0.4, 70.0),
                outcome(METRIC, 0, 0, 0.009, 0.029, 70.0),
                outcome(METRIC_DEFAULT_FOV, 0, 0, 0.0, 0.2, 60.0));
        assertEquals(List.of(), GeometryBench.failures(all));
    }

    @Test
    void aBreathingStabilisedRunFailsOnItsCvAndItsJump() {
        List<String> f = GeometryBench.failures(List.of(outcome(STABILISED, 0.021, 0.05, 0.2, 0.4, 70.0)));
        assertEquals(2, f.size(), f.toString());
        assertTrue(f.get(0).contains("static-region CV 2.10 % > 2.00 %"), f.get(0));
        assertTrue(f.get(1).contains("largest frame-to-frame jump 5.00 %"), f.get(1));
    }

    @Test
    void metricErrorsAboveTheTargetsFail() {
        List<String> f = GeometryBench.failures(List.of(outcome(METRIC, 0, 0, 0.011, 0.031, 70.0)));
        assertEquals(4, f.size(), f.toString()); // depth and point, median and p90 (outcome() sets both alike)
    }

    @Test
    void aSessionWhoseFieldOfViewWasNotAppliedFails() {
        List<String> f = GeometryBench.failures(List.of(outcome(UNSTABILISED, 0.4, 0.3, 0.3, 0.5, 60.0)));
        assertEquals(List.of("relative, stabilize off: the session's hfov 70.0 was not applied (intr.fov [60.0])"), f);
    }

    @Test
    void aRunThatDidNotRunFailsWithItsReason() {
        List<String> f =
                GeometryBench.failures(List.of(BenchRun.notRun(STABILISED, "server refused --stabilize on: x")));
        assertEquals(List.of("relative, stabilize on: server refused --stabilize on: x"), f);
    }

    @Test
    void aRunWithTooFewResultsIsNotScored() {
        BenchRun.Outcome thin = outcome(STABILISED, 0, 0, 0, 0, 70.0);
        BenchRun.Outcome few = new BenchRun.Outcome(
                thin.spec(),
                null,
                thin.ranWith(),
                List.of(),
                180,
                20,
                0,
                20,
                0,
                thin.intrFovs(),
                thin.score(),
                thin.stabilizer());
        List<String> f = GeometryBench.failures(List.of(few));
        assertEquals(1, f.size());
        assertTrue(f.get(0).contains("too few results to score (20 of 180 frames"), f.get(0));
    }

    static BenchRun.Outcome outcome(BenchRun.Spec spec, double cv, double jump, double p50, double p90, double fov) {
        CloudScorer.Score score = new CloudScorer.Score(
                170,
                3_000_000,
                0,
                1,
                cv,
                jump,
                p50,
                p90,
                p50,
                p90,
                List.of(new CloudScorer.StaticRegion(RoomScene.Surface.FLOOR, cv, jump, new double[170])));
        return new BenchRun.Outcome(
                spec,
                null,
                spec.flags(),
                List.of(),
                180,
                170,
                0,
                170,
                0,
                List.of(fov),
                score,
                new BenchRun.StabilizerSummary(0, Double.NaN, Double.NaN, Double.NaN));
    }
}
