package dev.depthcast.backend.tensorrt;

import java.util.Arrays;

/**
 * One I/O tensor of a TensorRT engine as its metadata describes it: name, direction, element
 * type, memory layout, shape (-1 = dynamic) and, for inputs, optimization profile 0's
 * min/opt/max shapes.
 *
 * @param dataType TensorRT's DataType name: {@code kHALF}, {@code kFLOAT}, {@code kINT8}, ...
 * @param format TensorRT's TensorFormat name: {@code kLINEAR} (plain NCHW, what the kernels read
 *     and write), {@code kHWC8}, {@code kCHW32}, ...
 */
public record TensorSpec(
        String name, boolean input, String dataType, String format, long[] shape, long[] min, long[] opt, long[] max) {

    public static final String HALF = "kHALF";
    public static final String FLOAT = "kFLOAT";
    public static final String LINEAR = "kLINEAR";

    public TensorSpec {
        shape = shape.clone();
        min = min == null ? null : min.clone();
        opt = opt == null ? null : opt.clone();
        max = max == null ? null : max.clone();
    }

    public boolean half() {
        return HALF.equals(dataType);
    }

    @Override
    public String toString() {
        return (input ? "input " : "output ") + name + " " + dataType + (LINEAR.equals(format) ? "" : " " + format)
                + " " + Arrays.toString(shape)
                + (min == null ? "" : " profile " + Arrays.toString(min) + ".." + Arrays.toString(max));
    }
}
