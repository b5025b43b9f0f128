#!/usr/bin/env python3
"""Repeatable load-test matrix: for each scenario, start a fresh server on a free loopback port,
run scripts/loadtest.sh's jar against it, stop the server (by its pid); repeat, then print the
median over repeats of each number. Repeats are the OUTER loop, so a burst of unrelated load on
the machine hits one repeat of many cells rather than every repeat of one cell.

  scripts/loadtest/matrix.py                      # the full matrix of the performance note (~25 min)
  scripts/loadtest/matrix.py --only sim --repeats 1 --duration 5

Needs: mvn -DskipTests package done (server/target and scripts/loadtest/target jars).
Writes every run's JSON/HTML and a summary.json under --out (default loadtest-out/matrix-DATE).
"""
import argparse
import datetime
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER_JAR = os.path.join(ROOT, "server", "target", "depthcast-server.jar")
LOAD_JAR = os.path.join(ROOT, "scripts", "loadtest", "target", "depthcast-loadtest.jar")

# name, server flags, client counts, camera fps, frame size
SCENARIOS = [
    ("cpu", ["--backend", "cpu"], [1, 2, 4, 8], 30, "640x480"),
    ("sim20+2", ["--simulate-inference-ms", "20+2"], [1, 2, 4, 8], 30, "640x480"),
    ("sim20+2-stabilize-off", ["--simulate-inference-ms", "20+2", "--stabilize", "off"], [2, 4, 8], 30, "640x480"),
    ("sim20+2-batch1", ["--simulate-inference-ms", "20+2", "--max-batch", "1"], [4, 8], 30, "640x480"),
    ("sim20+2-320", ["--simulate-inference-ms", "20+2"], [8], 30, "320x240"),
    ("sim20+2-batch1-320", ["--simulate-inference-ms", "20+2", "--max-batch", "1"], [8], 30, "320x240"),
    ("sim133", ["--simulate-inference-ms", "133+0"], [1, 4], 30, "640x480"),
]

# A ViT on the CPU (Depth Anything V2 Small's architecture, random weights; scripts/make-models.py
# --vit-s writes it, ~99 MB, not committed): default flags, so the server serves the INT8 engine
# that build-engine.sh --backend cpu put under engines/ (the matrix runs servers in the repository
# root), and the same with --precision fp32. Only when the model is there.
VIT_S = os.environ.get("DEPTHCAST_VIT_S", os.path.join(ROOT, "models-local", "da2-vits-shaped.onnx"))
if os.path.exists(VIT_S):
    SCENARIOS += [
        ("vits-default", ["--backend", "cpu", "--preset", "depth-anything-v2", "--model", VIT_S], [4], 30, "640x480"),
        ("vits-fp32", ["--backend", "cpu", "--preset", "depth-anything-v2", "--model", VIT_S, "--precision", "fp32"],
         [4], 30, "640x480"),
        ("vits-threads1", ["--backend", "cpu", "--preset", "depth-anything-v2", "--model", VIT_S, "--threads", "1"],
         [4], 30, "640x480"),
    ]

# Device scaling (docs/scaling.md): N simulated devices, each 100 + 10 ms a batch of at
# most 4 (28.6 results/s a device at batch 4), small frames and a small model input so that the
# host (WebRTC decode, pre/post-processing, encode) is not what saturates first on 2 cores.
DEVICE_FLAGS = ["--simulate-inference-ms", "100+10", "--max-batch", "4", "--input-size", "96x128",
                "--max-sessions-per-ip", "32", "--max-clients", "32"]
SCENARIOS += [
    ("devices-1", DEVICE_FLAGS + ["--devices", "1"], [8], 15, "160x120"),
    ("devices-2", DEVICE_FLAGS + ["--devices", "2"], [8], 15, "160x120"),
    ("devices-4", DEVICE_FLAGS + ["--devices", "4"], [8, 16], 15, "160x120"),
    ("devices-8", DEVICE_FLAGS + ["--devices", "8"], [16], 15, "160x120"),
]


def selected(name, only):
    """--only: a scenario's exact name selects just it; anything else selects the names it starts."""
    names = {s[0] for s in SCENARIOS}
    return any(name == item or (item not in names and name.startswith(item)) for item in only.split(","))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(flags, log_path):
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen(["java", "-jar", SERVER_JAR, "--port", str(port), "--web-root", "/nonexistent"] + flags,
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)  # engines/ as serve.sh sees it
    url = "http://127.0.0.1:%d" % port
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("server exited: see " + log_path)
        try:
            urllib.request.urlopen(url + "/api/stats", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("server did not come up: see " + log_path)


def stop_server(proc):
    proc.terminate()  # SIGTERM to this pid only; the server's shutdown hook closes sessions
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def loadavg():
    try:
        return float(open("/proc/loadavg").read().split()[0])
    except OSError:
        return float("nan")


def one_run(name, flags, clients, fps, size, duration, warmup, out, repeat):
    tag = "%s-c%d-r%d" % (name, clients, repeat)
    proc, url = start_server(flags, os.path.join(out, tag + ".server.log"))
    try:
        load_before = loadavg()
        cmd = ["java", "-jar", LOAD_JAR, "--url", url, "--clients", str(clients), "--fps", str(fps), "--size", size,
               "--duration", "%ds" % duration, "--warmup", "%ds" % warmup, "--quiet", "--out", out, "--name", tag]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=duration + warmup + 120)
        open(os.path.join(out, tag + ".txt"), "w").write(r.stdout)
        path = os.path.join(out, tag + ".json")
        if r.returncode not in (0, 6) or not os.path.exists(path):
            print("  %s: load test failed (exit %d):\n%s" % (tag, r.returncode, r.stdout[-1500:]), file=sys.stderr)
            return None
        rep = json.load(open(path))
        rep["loadavgBefore"] = load_before
        return rep
    finally:
        stop_server(proc)


def pick(rep):
    o = rep["overall"]
    cpu = o.get("cpu", {})
    cores = cpu.get("cores") or 2
    machine = cpu.get("machinePct")
    lt = cpu.get("loadtestProcessPctOfOneCore")
    return {
        "resultFps": o["resultFps"],
        "perClientMedianFps": o["resultFpsPerClient"]["median"],
        "perClientMinFps": o["resultFpsPerClient"]["min"],
        "minOverMedian": o["fairness"]["minOverMedian"],
        "jain": o["fairness"]["jain"],
        "p50": o["latencyMs"]["p50"],
        "p95": o["latencyMs"]["p95"],
        "p99": o["latencyMs"]["p99"],
        "staleP50": o["staleFrames"]["p50"],
        "staleP99": o["staleFrames"]["p99"],
        "queueP99": o["queueMsP99"],
        "batchMean": o["batchMean"],
        "matchedPct": o["matchedPct"],
        "machineCpuPct": machine,
        "loadtestCpuPctOfCore": lt,
        "serverCpuPctOfCoreEst": None if machine is None or lt is None else round(machine * cores - lt, 1),
        "uplinkP50": o["breakdownMsP50"]["uplink"],
        "serverP50": o["breakdownMsP50"]["server"],
        "downlinkP50": o["breakdownMsP50"]["downlink"],
        "pushFps": o["pushFps"],
        "loadavgBefore": rep.get("loadavgBefore"),
    }


def median(values):
    v = [x for x in values if x is not None]
    return round(statistics.median(v), 3) if v else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--duration", type=int, default=12, help="measured seconds per run (default 12)")
    ap.add_argument("--warmup", type=int, default=8,
                    help="seconds not measured after every client has a result (default 8: on 2 saturated cores "
                         "the JIT takes ~10 s to settle)")
    ap.add_argument("--only", help="comma-separated scenario names (exactly) or name prefixes to run")
    ap.add_argument("--out")
    a = ap.parse_args()
    for jar in (SERVER_JAR, LOAD_JAR):
        if not os.path.exists(jar):
            sys.exit("missing %s: run mvn -DskipTests package first" % jar)
    out = a.out or os.path.join(ROOT, "loadtest-out", "matrix-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out, exist_ok=True)
    cells = [(n, f, c, fps, size) for (n, f, cs, fps, size) in SCENARIOS for c in cs
             if not a.only or selected(n, a.only)]
    runs = {}
    for rep in range(a.repeats):
        for (n, f, c, fps, size) in cells:
            t0 = time.time()
            r = one_run(n, f, c, fps, size, a.duration, a.warmup, out, rep)
            key = "%s c=%d" % (n, c)
            if r is not None:
                runs.setdefault(key, []).append(pick(r))
                p = runs[key][-1]
                print("repeat %d %-24s fps %6.1f  p50 %6s p99 %6s  stale p99 %4s  min/med %5s  cpu %5s%%  (%.0f s, load %.1f)"
                      % (rep, key, p["resultFps"], p["p50"], p["p99"], p["staleP99"], p["minOverMedian"],
                         p["machineCpuPct"], time.time() - t0, p["loadavgBefore"] or -1), flush=True)
    summary = {}
    for key, rs in runs.items():
        summary[key] = {k: median([r[k] for r in rs]) for k in rs[0]}
        summary[key]["repeats"] = len(rs)
        summary[key]["runs"] = rs
    json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=1)
    print()
    print("medians over repeats (%s)" % out)
    print("%-26s %4s %8s %9s %8s %8s %8s %8s %8s %9s %7s %7s %7s" % (
        "scenario", "n", "res/s", "fps/client", "min/med", "p50 ms", "p99 ms", "staleP50", "staleP99", "queueP99",
        "batch", "cpu%", "srv%"))
    for key in runs:
        s = summary[key]
        print("%-26s %4d %8s %9s %8s %8s %8s %8s %8s %9s %7s %7s %7s" % (
            key, s["repeats"], s["resultFps"], s["perClientMedianFps"], s["minOverMedian"], s["p50"], s["p99"],
            s["staleP50"], s["staleP99"], s["queueP99"], s["batchMean"], s["machineCpuPct"],
            s["serverCpuPctOfCoreEst"]))


if __name__ == "__main__":
    main()
