/**
 * The ground-truth geometry benchmark (scripts/geometry-bench.sh): a room with a ball that approaches and
 * recedes, seen by a pinhole camera of known field of view ({@link dev.depthcast.groundtruth.RoomScene}), rendered
 * to a camera-like clip with the load tester's frame tag ({@link dev.depthcast.groundtruth.Clip}); a model runtime
 * whose output is that scene's true depth, or its true inverse depth under a relative model's per-frame drift
 * ({@link dev.depthcast.groundtruth.TruthRuntime}), run inside a real server; and the scores of what the client
 * receives against the truth: stability of a static region, depth and point errors
 * ({@link dev.depthcast.groundtruth.CloudScorer}, {@link dev.depthcast.groundtruth.Stability}).
 *
 * <p>Threads: the scene, clip and scorer are immutable or used on one thread; the truth runtime runs on the server's
 * inference executor thread; a {@link dev.depthcast.groundtruth.BenchRun} collects results on the client's socket
 * thread and scores them on the caller's once the run is over.
 */
package dev.depthcast.groundtruth;
