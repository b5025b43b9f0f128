package dev.depthcast.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StrideLadderTest {

    @Test
    void laddersStartAtTheConfiguredStrideAndGetCoarser() {
        assertArrayEquals(new int[] {3, 4, 5, 6, 7}, StrideLadder.from(3).strides());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, StrideLadder.from(1).strides());
        assertArrayEquals(new int[] {6, 7, 8, 10, 13}, StrideLadder.from(6).strides());
        assertArrayEquals(new int[] {8, 10, 13, 16, 20}, StrideLadder.from(8).strides());
        assertArrayEquals(new int[] {60, 64}, StrideLadder.from(60).strides(), "never past stride 64");
    }

    @Test
    void levelOfFindsTheRung() {
        StrideLadder l = StrideLadder.from(3);
        assertEquals(0, l.levelOf(3));
        assertEquals(4, l.levelOf(7));
        assertEquals(0, l.levelOf(8), "not on the ladder");
    }
}
