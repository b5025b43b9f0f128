package dev.depthcast.metrics;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The process's memory, threads and descriptors on {@code /metrics}, so that a soak run
 * (scripts/soak.sh) or a Prometheus alert can tell a plateau from a leak: Micrometer's JVM memory
 * binder (heap and non-heap by pool; {@code jvm_buffer_memory_used_bytes{id="direct"}}, the
 * direct buffers {@code -XX:MaxDirectMemorySize} caps), its thread binder and open descriptors,
 * plus two gauges it lacks:
 * <ul>
 *   <li>{@code depthcast_jvm_heap_after_gc_bytes}: heap in use right after the latest collection
 *       (young or full). Heap "used" is a saw-tooth that says little about growth; what survives
 *       collections is what a leak makes grow.</li>
 *   <li>{@code depthcast_netty_direct_used_bytes}: direct memory Netty allocated without the JDK
 *       counting it (its no-cleaner buffers, when Netty may use them), -1 when Netty uses the JDK's
 *       (then the JDK's {@code direct} pool above counts it).</li>
 * </ul>
 */
final class JvmGauges {

    private JvmGauges() {}

    static void bind(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        AtomicLong afterGc = new AtomicLong(-1);
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(
                        (n, handback) -> {
                            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                                    n.getType())) {
                                return;
                            }
                            GarbageCollectionNotificationInfo info =
                                    GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                            long sum = 0;
                            for (Map.Entry<String, MemoryUsage> e :
                                    info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                                if (heapPools.contains(e.getKey())) {
                                    sum += e.getValue().getUsed();
                                }
                            }
                            afterGc.set(sum);
                        },
                        null,
                        null);
            }
        }
        Gauge.builder("depthcast.jvm.heap.after.gc", afterGc, AtomicLong::get)
                .baseUnit("bytes")
                .description("heap in use after the latest garbage collection (-1 before the first)")
                .register(registry);
        Gauge.builder("depthcast.netty.direct.used", JvmGauges::nettyDirect)
                .baseUnit("bytes")
                .description("direct memory Netty counts itself (-1: Netty uses JDK direct buffers, counted in "
                        + "jvm_buffer_memory_used_bytes{id=\"direct\"})")
                .register(registry);
    }

    private static double nettyDirect() {
        try {
            return io.netty.util.internal.PlatformDependent.usedDirectMemory();
        } catch (LinkageError e) {
            return -1;
        }
    }
}
