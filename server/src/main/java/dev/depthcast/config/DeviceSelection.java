package dev.depthcast.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * {@code --devices}: which devices get an inference executor each. {@code all} (every device the
 * backend finds), {@code N} (the first N: ordinals 0..N-1, as Docker's {@code --gpus N}) or a list of
 * ordinals with a comma, {@code 0,2,3}. A single device other than 0 is chosen the way Kubernetes
 * and Docker do it, with {@code CUDA_VISIBLE_DEVICES} (it is then ordinal 0 to the process).
 */
public final class DeviceSelection {

    /** How {@code --devices} spells {@link #FIRST}. */
    public static final String FIRST_TEXT = "1";

    /**
     * Without {@code --devices}: device 0 only. One executor is what every machine can run, and a
     * single device other than 0 is chosen with {@code CUDA_VISIBLE_DEVICES}, as containers do.
     */
    public static final DeviceSelection FIRST = new DeviceSelection(false, List.of(0), FIRST_TEXT);

    private static final int MOST = 64;

    private final boolean all;
    private final List<Integer> ordinals;
    private final String text;

    private DeviceSelection(boolean all, List<Integer> ordinals, String text) {
        this.all = all;
        this.ordinals = ordinals;
        this.text = text;
    }

    /** Parses {@code all}, {@code N} or {@code I,J,…}; the message of the exception names the fix. */
    public static DeviceSelection parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("all")) {
            return new DeviceSelection(true, List.of(), "all");
        }
        try {
            if (!t.contains(",")) {
                int n = Integer.parseInt(t);
                if (n < 1 || n > MOST) {
                    throw new ConfigException("--devices " + text + ": a count must be 1.." + MOST);
                }
                return new DeviceSelection(false, IntStream.range(0, n).boxed().toList(), t);
            }
            TreeSet<Integer> set = new TreeSet<>();
            List<Integer> list = new ArrayList<>();
            for (String part : t.split(",", -1)) {
                int o = Integer.parseInt(part.trim());
                if (o < 0 || o >= MOST) {
                    throw new ConfigException("--devices " + text + ": ordinals are 0.." + (MOST - 1));
                }
                if (!set.add(o)) {
                    throw new ConfigException("--devices " + text + ": device " + o + " is listed twice");
                }
                list.add(o);
            }
            return new DeviceSelection(false, List.copyOf(list), t);
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    "--devices " + text + " is not all, a count (2) or a list of " + "device ordinals (0,1)");
        }
    }

    public boolean all() {
        return all;
    }

    /** True for the default: one executor, on device 0. */
    public boolean isSingleFirst() {
        return !all && ordinals.equals(List.of(0));
    }

    /**
     * The ordinals to open on a machine with {@code available} devices.
     *
     * @throws ConfigException when an ordinal is not there, naming how many there are
     */
    public List<Integer> resolve(int available) {
        if (all) {
            if (available < 1) {
                throw new ConfigException("--devices all: the backend found no device");
            }
            return IntStream.range(0, available).boxed().toList();
        }
        for (int o : ordinals) {
            if (o >= available) {
                throw new ConfigException("--devices " + text + ": there is no device " + o + " (" + available
                        + " found: ordinals 0.." + (available - 1) + ")");
            }
        }
        return ordinals;
    }

    /** The ordinals as given (not for {@code all}, which needs the backend's count: {@link #resolve}). */
    public List<Integer> ordinals() {
        if (all) {
            throw new IllegalStateException("--devices all: the count comes from the backend");
        }
        return ordinals;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceSelection d && d.all == all && d.ordinals.equals(ordinals);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(all) * 31 + ordinals.hashCode();
    }
}
