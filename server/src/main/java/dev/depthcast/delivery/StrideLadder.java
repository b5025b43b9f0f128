package dev.depthcast.delivery;

import java.util.Arrays;

/**
 * The sampling strides a client's link adaptation steps between: level 0 is {@code --stride} (the
 * densest), then +1 a level up to stride 8 and about 1.25× a level above, five levels in all — for
 * stride 3: 3, 4, 5, 6, 7, i.e. 100 %, 56 %, 36 %, 25 %, 18 % of the points (at small strides +1
 * is already a big step: 3 → 4 drops 44 % of the points).
 */
public record StrideLadder(int[] strides) {

    public static final int LEVELS = 5;
    static final int MAX_STRIDE = 64;

    public StrideLadder {
        strides = strides.clone();
        if (strides.length == 0) {
            throw new IllegalArgumentException("a ladder needs at least one stride");
        }
    }

    /** The ladder that starts at {@code base}. */
    public static StrideLadder from(int base) {
        int[] s = new int[LEVELS];
        s[0] = base;
        int n = 1;
        while (n < LEVELS) {
            if (s[n - 1] >= MAX_STRIDE) {
                break;
            }
            int next = s[n - 1] < 8
                    ? s[n - 1] + 1
                    : Math.min(MAX_STRIDE, Math.max(s[n - 1] + 1, (int) Math.round(s[n - 1] * 1.25)));
            s[n++] = next;
        }
        return new StrideLadder(Arrays.copyOf(s, n));
    }

    public int levels() {
        return strides.length;
    }

    public int stride(int level) {
        return strides[level];
    }

    /** The level of {@code stride}; 0 when it is not on the ladder. */
    public int levelOf(int stride) {
        for (int i = 0; i < strides.length; i++) {
            if (strides[i] == stride) {
                return i;
            }
        }
        return 0;
    }
}
