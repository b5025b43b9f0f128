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
  da2-vit-tiny.onnx      Depth Anything V2's architecture at tiny widths: ViT/14 encoder (patch-embed
                         Conv, cls token, position embedding Resized to the patch grid, LayerNormalization,
                         MatMul attention with Softmax, Erf GELU, layer scale) + DPT head (ConvTranspose
                         reassembly, residual conv units, bilinear Resize fusion, depth head), opset 17,
                         pixel_values [N,3,H,W] -> predicted_depth [N,H,W] with dynamic N, H, W. Random
                         fixed weights: its depth is noise, the way a real net's is to a test. The
                         end-to-end test runs it through --preset depth-anything-v2.

Not committed (too big), for measurements: --vit-s FILE writes the same graph at Depth Anything V2
Small's widths (ViT-S/14: 384 wide, 12 blocks, 6 heads; DPT features 64, outputs 48/96/192/384;
24.8 M parameters, ~99 MB), e.g. scripts/make-models.py --vit-s models-local/da2-vits-shaped.onnx
(models-local/ is git-ignored).

Usage: scripts/make-models.py [--check] [--vit-s FILE]   (--check: fail if a committed model differs)
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


class Graph:
    """Collects nodes and initialisers with unique names (a tiny builder for the ViT/DPT graph)."""

    def __init__(self, seed):
        self.nodes = []
        self.inits = []
        self.rng = np.random.default_rng(seed)
        self.count = 0

    def name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, array, hint="c"):
        n = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def weight(self, shape, std, hint="w"):
        return self.const((self.rng.standard_normal(shape) * std).astype(np.float32), hint)

    def zeros(self, shape, hint="b"):
        return self.const(np.zeros(shape, np.float32), hint)

    def op(self, op_type, inputs, hint=None, **attrs):
        out = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def ints(self, values):
        return self.const(np.array(values, np.int64), "i")

    # ---- layers
    def linear(self, x, fan_in, fan_out):
        y = self.op("MatMul", [x, self.weight((fan_in, fan_out), fan_in ** -0.5)])
        return self.op("Add", [y, self.zeros((fan_out,))])

    def layer_norm(self, x, dim):
        return self.op("LayerNormalization", [x, self.const(np.ones(dim, np.float32), "ln_g"), self.zeros((dim,))],
                       axis=-1, epsilon=1e-6)

    def gelu(self, x):
        # The exact (Erf) GELU, as PyTorch's nn.GELU exports at opset 17.
        e = self.op("Erf", [self.op("Div", [x, self.const(np.array(np.sqrt(2.0), np.float32))])])
        return self.op("Mul", [self.op("Mul", [x, self.op("Add", [e, self.const(np.array(1.0, np.float32))])]),
                               self.const(np.array(0.5, np.float32))])

    def conv(self, x, cin, cout, k, stride=1, pad=None, bias=True):
        pad = k // 2 if pad is None else pad
        inputs = [x, self.weight((cout, cin, k, k), (cin * k * k) ** -0.5)]
        if bias:
            inputs.append(self.zeros((cout,)))
        return self.op("Conv", inputs, kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4)

    def conv_transpose(self, x, cin, cout, k):
        return self.op("ConvTranspose", [x, self.weight((cin, cout, k, k), cin ** -0.5), self.zeros((cout,))],
                       kernel_shape=[k, k], strides=[k, k])

    def resize_like(self, x, like, mode="linear"):
        """Resizes x (N,C,h,w) to like's spatial size, whatever it is at run time (dynamic H, W)."""
        nc = self.op("Slice", [self.op("Shape", [x]), self.ints([0]), self.ints([2])])
        hw = self.op("Slice", [self.op("Shape", [like]), self.ints([2]), self.ints([4])])
        sizes = self.op("Concat", [nc, hw], axis=0)
        attrs = {"mode": mode}
        if mode == "linear":
            attrs["coordinate_transformation_mode"] = "align_corners"  # DPT's interpolate(align_corners=True)
        return self.op("Resize", [x, "", "", sizes], **attrs)


# The operators a Depth Anything V2 export at opset 17 is made of (and that a runtime must run fast).
VIT_DPT_OPS = {"Conv", "LayerNormalization", "MatMul", "Softmax", "Erf", "Resize", "ConvTranspose", "Concat",
               "Reshape", "Transpose", "Gather", "Slice", "Shape", "Expand", "Add", "Mul", "Div", "Relu", "Squeeze"}


def vit_dpt(name, dim, depth, heads, features, out_channels, layers, pos_grid, seed, head=32):
    """Depth Anything V2's graph (DINOv2 ViT/14 + DPT head) at the given widths."""
    g = Graph(seed)
    x = "pixel_values"
    patch = 14
    # -- patch embedding and position embedding resized to the patch grid (dynamic H/14 x W/14)
    tokens = g.conv(x, 3, dim, patch, stride=patch, pad=0)                       # N,D,h,w
    pos = g.weight((1, dim, pos_grid, pos_grid), 0.02, "pos_embed")
    pos_sizes = g.op("Concat", [g.ints([1, dim]),
                                g.op("Slice", [g.op("Shape", [tokens]), g.ints([2]), g.ints([4])])], axis=0)
    pos = g.op("Resize", [pos, "", "", pos_sizes], mode="cubic", cubic_coeff_a=-0.75)
    grid = g.op("Add", [tokens, pos])
    shape = g.op("Shape", [grid])
    n_dim = g.op("Slice", [shape, g.ints([0]), g.ints([1])])
    hw = g.op("Slice", [shape, g.ints([2]), g.ints([4])])
    seq = g.op("Transpose", [g.op("Reshape", [grid, g.op("Concat", [n_dim, g.ints([dim, -1])], axis=0)])],
               perm=[0, 2, 1])                                                   # N,T,D
    cls = g.op("Add", [g.weight((1, 1, dim), 0.02, "cls_token"), g.weight((1, 1, dim), 0.02, "cls_pos")])
    cls = g.op("Expand", [cls, g.op("Concat", [n_dim, g.ints([1, dim])], axis=0)])
    h = g.op("Concat", [cls, seq], axis=1)                                       # N,1+T,D
    dh = dim // heads
    taken = []
    for block in range(depth):
        # attention
        y = g.layer_norm(h, dim)
        qkv = g.linear(y, dim, 3 * dim)
        qkv = g.op("Reshape", [qkv, g.op("Concat", [n_dim, g.ints([-1, 3, heads, dh])], axis=0)])
        qkv = g.op("Transpose", [qkv], perm=[2, 0, 3, 1, 4])                    # 3,N,heads,T,dh
        # A scalar index drops the axis: each of q, k, v is N,heads,T,dh.
        q, k, v = (g.op("Gather", [qkv, g.const(np.array(i, np.int64))], axis=0) for i in range(3))
        scores = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]),
                              g.const(np.array(dh ** -0.5, np.float32))])
        attn = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])           # N,heads,T,dh
        attn = g.op("Reshape", [g.op("Transpose", [attn], perm=[0, 2, 1, 3]),
                                g.op("Concat", [n_dim, g.ints([-1, dim])], axis=0)])
        attn = g.op("Mul", [g.linear(attn, dim, dim), g.const(np.full(dim, 1.0, np.float32), "ls")])
        h = g.op("Add", [h, attn])
        # MLP
        y = g.gelu(g.linear(g.layer_norm(h, dim), dim, 4 * dim))
        y = g.op("Mul", [g.linear(y, 4 * dim, dim), g.const(np.full(dim, 1.0, np.float32), "ls")])
        h = g.op("Add", [h, y])
        if block in layers:
            taken.append(g.layer_norm(h, dim))
    # -- DPT head: reassemble four stages at 4x, 2x, 1x, 1/2x of the patch grid
    stages = []
    for i, t in enumerate(taken):
        t = g.op("Slice", [t, g.ints([1]), g.ints([2 ** 31 - 1]), g.ints([1])])   # drop the cls token
        t = g.op("Reshape", [g.op("Transpose", [t], perm=[0, 2, 1]),
                             g.op("Concat", [n_dim, g.ints([dim]), hw], axis=0)])  # N,D,h,w
        t = g.conv(t, dim, out_channels[i], 1, pad=0)
        if i == 0:
            t = g.conv_transpose(t, out_channels[i], out_channels[i], 4)
        elif i == 1:
            t = g.conv_transpose(t, out_channels[i], out_channels[i], 2)
        elif i == 3:
            t = g.conv(t, out_channels[i], out_channels[i], 3, stride=2)
        stages.append(g.conv(t, out_channels[i], features, 3, bias=False))    # scratch.layerN_rn

    def residual_unit(x):
        y = g.conv(g.op("Relu", [x]), features, features, 3)
        y = g.conv(g.op("Relu", [y]), features, features, 3)
        return g.op("Add", [x, y])

    # fusion from the coarsest stage up, each resized (bilinear) to the next finer stage's size
    fused = residual_unit(stages[3])
    for i in (2, 1, 0):
        fused = g.conv(g.resize_like(fused, stages[i]), features, features, 1, pad=0)
        fused = residual_unit(g.op("Add", [fused, residual_unit(stages[i])]))
    # last refinement doubles the finest stage (2 x 4 x patch grid = 8x), then the depth head
    up = g.op("Resize", [fused, "", "", g.op("Concat", [
        g.op("Slice", [g.op("Shape", [fused]), g.ints([0]), g.ints([2])]),
        g.op("Mul", [g.op("Slice", [g.op("Shape", [fused]), g.ints([2]), g.ints([4])]), g.ints([2, 2])])], axis=0)],
        mode="linear", coordinate_transformation_mode="align_corners")
    y = g.conv(g.conv(up, features, features, 1, pad=0), features, features // 2, 3)
    y = g.resize_like(y, x)                                                      # to H x W
    y = g.op("Relu", [g.conv(y, features // 2, head, 3)])
    # output conv: ReLU keeps inverse depth >= 0; a small positive bias keeps it off exactly 0
    depth_map = g.op("Conv", [y, g.weight((1, head, 1, 1), head ** -0.5),
                              g.const(np.array([0.5], np.float32), "b_out")], kernel_shape=[1, 1])
    depth_map = g.op("Relu", [depth_map])
    g.nodes.append(helper.make_node("Squeeze", [depth_map, g.ints([1])], ["predicted_depth"]))
    graph = helper.make_graph(
        g.nodes, name,
        [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch_size", 3, "height", "width"])],
        [helper.make_tensor_value_info("predicted_depth", TensorProto.FLOAT, ["batch_size", "height", "width"])],
        g.inits)
    ops = {n.op_type for n in g.nodes}
    missing = VIT_DPT_OPS - ops
    assert not missing, f"the ViT/DPT graph lacks ops of the real exports: {missing}"
    graph.doc_string = ("depthcast: Depth Anything V2's architecture (ViT/14 + DPT) with random fixed weights. "
                        "Not a depth estimator: a test and measurement stand-in of the same shape.")
    return model(graph)


def vit_tiny():
    return vit_dpt("da2_vit_tiny", dim=32, depth=4, heads=2, features=16, out_channels=[8, 16, 32, 32],
                   layers=[0, 1, 2, 3], pos_grid=4, seed=1414, head=4)


def vit_s():
    # Depth Anything V2 Small: DINOv2 ViT-S/14 (384 wide, 12 blocks, 6 heads, taps after blocks
    # 2, 5, 8, 11), DPT features 64, outputs 48/96/192/384, position grid 37 (518 / 14).
    return vit_dpt("da2_vits_shaped", dim=384, depth=12, heads=6, features=64, out_channels=[48, 96, 192, 384],
                   layers=[2, 5, 8, 11], pos_grid=37, seed=2024)


MODELS = {
    os.path.join(MAIN, "relief.onnx"): relief,
    os.path.join(TEST, "da2-signature.onnx"): lambda: tiny(
        "da2_signature", "pixel_values", "predicted_depth",
        ["batch_size", 3, "height", "width"], ["batch_size", "height", "width"]),
    os.path.join(TEST, "midas-signature.onnx"): lambda: tiny(
        "midas_signature", "input", "output", [1, 3, 256, 256], [1, 256, 256]),
    os.path.join(TEST, "bad-channels.onnx"): lambda: tiny(
        "bad_channels", "image", "depth", ["N", 1, "H", "W"], ["N", 1, "H", "W"], channels=1, squeeze=False),
    os.path.join(TEST, "da2-vit-tiny.onnx"): vit_tiny,
}


def main():
    args = sys.argv[1:]
    if "--vit-s" in args:
        i = args.index("--vit-s")
        if i + 1 >= len(args):
            sys.exit("--vit-s needs a file name, e.g. models-local/da2-vits-shaped.onnx")
        path = args[i + 1]
        m = vit_s()
        params = sum(int(np.prod(t.dims)) for t in m.graph.initializer)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(m.SerializeToString())
        print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB, {params / 1e6:.1f} M parameters)")
        return
    check = "--check" in args
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
