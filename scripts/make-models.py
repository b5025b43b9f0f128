#!/usr/bin/env python3
"""Makes depthcast's own small ONNX models with fixed weights (no training, no downloads).

  relief.onnx  the embedded default model: inverse depth from smoothed brightness plus a
               "lower in the picture is nearer" ramp. A pipeline demo, NOT a learned depth
               estimator: it makes a bright face pop out and a floor tilt, nothing more.

Test models with the signatures of real depth nets (tiny convs, random fixed weights), used by
the preset tests to prove that a model of that shape loads, checks and runs:

  da2-signature.onnx     Depth Anything V2's HF export: pixel_values [N,3,H,W] (dynamic N,H,W)
                         -> predicted_depth [N,H,W]
  midas-signature.onnx   MiDaS v2.1 small's export: input [1,3,256,256] -> output [1,256,256]
  bad-channels.onnx      a single-channel input [N,1,H,W]: must be refused with a clear error

Usage: scripts/make-models.py [--check]   (--check: fail if a committed model differs)
Needs Debian's python3-onnx and python3-numpy (/usr/bin/python3).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAIN = os.path.join(ROOT, "server", "src", "main", "resources", "models")
TEST = os.path.join(ROOT, "server", "src", "test", "resources", "models")
OPSET = [helper.make_opsetid("", 17)]


def gaussian(size, sigma):
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2
    k = np.exp(-(x * x) / (2 * sigma * sigma))
    return (k / k.sum()).astype(np.float32)


def model(graph):
    m = helper.make_model(graph, opset_imports=OPSET, producer_name="depthcast scripts/make-models.py")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def relief():
    # Blur at quarter resolution, then resize back: a 31-tap blur at full size cost ~40 ms a frame
    # on 2 cores; this one costs a few.
    taps = 9
    k = gaussian(taps, 2.0)
    inits = [
        numpy_helper.from_array(np.array([0.299, 0.587, 0.114], np.float32).reshape(1, 3, 1, 1), "luma_w"),
        numpy_helper.from_array(k.reshape(1, 1, 1, taps), "blur_h"),
        numpy_helper.from_array(k.reshape(1, 1, taps, 1), "blur_v"),
        numpy_helper.from_array(np.array([0.6], np.float32), "w_bright"),
        numpy_helper.from_array(np.array([0.4], np.float32), "w_ramp"),
        numpy_helper.from_array(np.array([0.1], np.float32), "bias"),
        numpy_helper.from_array(np.array([2], np.int64), "axis_h"),
        numpy_helper.from_array(np.array(2, np.int64), "axis_h_scalar"),
        numpy_helper.from_array(np.array([1], np.int64), "axis_c"),
    ]
    p = taps // 2
    nodes = [
        helper.make_node("Conv", ["image", "luma_w"], ["luma"]),
        helper.make_node("AveragePool", ["luma"], ["small"], kernel_shape=[4, 4], strides=[4, 4], ceil_mode=1),
        helper.make_node("Conv", ["small", "blur_h"], ["blur1"], pads=[0, p, 0, p]),
        helper.make_node("Conv", ["blur1", "blur_v"], ["blur2"], pads=[p, 0, p, 0]),
        helper.make_node("Shape", ["luma"], ["shape"]),
        helper.make_node("Resize", ["blur2", "", "", "shape"], ["blurred"], mode="linear"),
        # Row index / height: a ramp from 0 (top) to 1 (bottom), whatever the input size.
        helper.make_node("ConstantOfShape", ["shape"], ["ones"],
                         value=helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])),
        helper.make_node("CumSum", ["ones", "axis_h_scalar"], ["rows"]),
        helper.make_node("Gather", ["shape", "axis_h"], ["height_i"]),
        helper.make_node("Cast", ["height_i"], ["height"], to=TensorProto.FLOAT),
        helper.make_node("Div", ["rows", "height"], ["ramp"]),
        helper.make_node("Mul", ["blurred", "w_bright"], ["bright"]),
        helper.make_node("Mul", ["ramp", "w_ramp"], ["tilt"]),
        helper.make_node("Add", ["bright", "tilt"], ["sum"]),
        helper.make_node("Add", ["sum", "bias"], ["inv"]),
        helper.make_node("Squeeze", ["inv", "axis_c"], ["inverse_depth"]),
    ]
    g = helper.make_graph(
        nodes, "depthcast_relief",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("inverse_depth", TensorProto.FLOAT, ["N", "H", "W"])],
        inits)
    g.doc_string = ("depthcast relief demo: relative inverse depth = 0.6*blur(luma) + 0.4*row/H + 0.1. "
                    "Not a learned depth model.")
    return model(g)


def tiny(name, in_name, out_name, in_shape, out_shape, channels=3, squeeze=True):
    rng = np.random.default_rng(1234)
    w = rng.uniform(0.1, 1.0, size=(1, channels, 3, 3)).astype(np.float32)
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.array([1], np.int64), "axis_c")]
    nodes = [helper.make_node("Conv", [in_name, "w"], ["conv"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["conv"], ["relu" if squeeze else out_name])]
    if squeeze:
        nodes.append(helper.make_node("Squeeze", ["relu", "axis_c"], [out_name]))
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(in_name, TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, out_shape)],
        inits)
    return model(g)


MODELS = {
    os.path.join(MAIN, "relief.onnx"): relief,
    os.path.join(TEST, "da2-signature.onnx"): lambda: tiny(
        "da2_signature", "pixel_values", "predicted_depth",
        ["batch_size", 3, "height", "width"], ["batch_size", "height", "width"]),
    os.path.join(TEST, "midas-signature.onnx"): lambda: tiny(
        "midas_signature", "input", "output", [1, 3, 256, 256], [1, 256, 256]),
    os.path.join(TEST, "bad-channels.onnx"): lambda: tiny(
        "bad_channels", "image", "depth", ["N", 1, "H", "W"], ["N", 1, "H", "W"], channels=1, squeeze=False),
}


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for path, make in MODELS.items():
        data = make().SerializeToString()
        if check:
            with open(path, "rb") as f:
                if f.read() != data:
                    stale.append(path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        print(f"wrote {os.path.relpath(path, ROOT)} ({len(data)} bytes)")
    if stale:
        sys.exit("models differ from scripts/make-models.py: " + ", ".join(stale))
    if check:
        print(f"{len(MODELS)} models match scripts/make-models.py")


if __name__ == "__main__":
    main()
