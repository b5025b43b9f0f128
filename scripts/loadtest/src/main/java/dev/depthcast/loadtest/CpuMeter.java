package dev.depthcast.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU use between two points in time: this process (all threads) and the whole machine (/proc/stat). */
final class CpuMeter {

    private final long wall = System.nanoTime();
    private final long process = processCpuNanos();
    private final long[] machine = machineJiffies();

    /** This process's CPU time, ns (-1 when the JVM does not tell). */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** {busy, total} jiffies from /proc/stat's cpu line, or null off Linux. */
    static long[] machineJiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** This process since construction, % of ONE core (200 = two cores busy). */
    double processPercentOfOneCore() {
        long now = processCpuNanos();
        if (now < 0 || process < 0) {
            return Double.NaN;
        }
        return 100.0 * (now - process) / (System.nanoTime() - wall);
    }

    /** The machine since construction, % of all cores. */
    double machinePercent() {
        long[] now = machineJiffies();
        if (now == null || machine == null || now[1] == machine[1]) {
            return Double.NaN;
        }
        return 100.0 * (now[0] - machine[0]) / (now[1] - machine[1]);
    }
}
