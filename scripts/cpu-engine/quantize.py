#!/usr/bin/env python3
"""INT8 quantization of an ONNX depth model with ONNX Runtime's own tool (onnxruntime.quantization).

Called by scripts/build-engine.sh --backend cpu (the Java build command), inside the private
virtual environment that scripts/cpu-engine/venv.sh makes. Two modes:

  static   QDQ, activations uint8 / weights int8 per channel (ONNX Runtime's x86 default; VNNI
           runs u8×s8 without saturation), ranges calibrated with MinMax on frames that went
           through the serving preprocessor (Java writes them as one float32 .npy, N×3×H×W).
  dynamic  weights only: int8 weights, activation ranges computed per run.

--exclude-op-types keeps those operator types in FP32 (the tool's op_types_to_quantize is
"every quantizable type but these"); --exclude-nodes keeps single nodes in FP32
(nodes_to_exclude). Prints one JSON line: what was quantized.
"""
import argparse
import collections
import json
import sys

import numpy as np
import onnx
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_dynamic,
    quantize_static,
)
from onnxruntime.quantization.registry import IntegerOpsRegistry, QDQRegistry, QLinearOpsRegistry

# What each mode may quantize: static, every type in the tool's QDQ and QLinear registries;
# dynamic, MatMul only: its ConvInteger has no int8-weight kernel on ONNX Runtime's CPU provider
# (the session refuses the model), and dynamic Gather/Transpose only move bytes.
QUANTIZABLE = {
    "static": set(QDQRegistry) | set(QLinearOpsRegistry),
    "dynamic": set(IntegerOpsRegistry) & {"MatMul"},
}


class NpyFrames(CalibrationDataReader):
    """One preprocessed frame a time (batch 1) from the .npy the Java side wrote."""

    def __init__(self, path, input_name):
        self.frames = np.load(path, mmap_mode="r")
        if self.frames.ndim != 4 or self.frames.shape[1] != 3 or self.frames.dtype != np.float32:
            raise SystemExit(f"quantize: {path}: expected float32 N×3×H×W, got {self.frames.dtype} {self.frames.shape}")
        self.input_name = input_name
        self.i = 0

    def get_next(self):
        if self.i >= len(self.frames):
            return None
        x = np.ascontiguousarray(self.frames[self.i : self.i + 1])
        self.i += 1
        return {self.input_name: x}

    def rewind(self):
        self.i = 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--mode", choices=["static", "dynamic"], required=True)
    ap.add_argument("--calib", help="float32 .npy N×3×H×W (static)")
    ap.add_argument("--exclude-op-types", default="", help="comma-separated op types kept in FP32")
    ap.add_argument("--exclude-nodes", default="", help="comma-separated node names kept in FP32")
    a = ap.parse_args()

    model = onnx.load(a.onnx)
    present = collections.Counter(n.op_type for n in model.graph.node)
    excluded_types = {t for t in a.exclude_op_types.split(",") if t}
    types = sorted((QUANTIZABLE[a.mode] & set(present)) - excluded_types)
    nodes = [n for n in a.exclude_nodes.split(",") if n]
    if a.mode == "static":
        if not a.calib:
            raise SystemExit("quantize: static needs --calib FILE.npy")
        reader = NpyFrames(a.calib, model.graph.input[0].name)
        quantize_static(
            a.onnx,
            a.out,
            reader,
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=types,
            nodes_to_exclude=nodes,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.MinMax,
        )
    else:
        quantize_dynamic(
            a.onnx,
            a.out,
            op_types_to_quantize=types,
            nodes_to_exclude=nodes,
            per_channel=False,
            weight_type=QuantType.QInt8,
        )
    quantized = collections.Counter(
        n.op_type for n in onnx.load(a.out, load_external_data=False).graph.node
    )
    print(
        json.dumps(
            {
                "mode": a.mode,
                "op_types": types,
                "excluded_op_types": sorted(excluded_types & set(present)),
                "excluded_nodes": len(nodes),
                "qdq_pairs": quantized.get("DequantizeLinear", 0),
                "integer_ops": sum(v for k, v in quantized.items() if "Integer" in k or k.startswith("QLinear")),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
