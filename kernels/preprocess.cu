// Preprocessing: a batch of I420 frames (each slot its own size) -> bilinear resize (half-pixel
// centres) -> per-preset normalisation -> NCHW FP16 or FP32, written straight into the TensorRT
// engine's input tensor at slot b. The math is depthcast_math.cuh (shared with the host test).
//
// Launch (dev.depthcast.backend.cuda.LaunchGeometry.preprocess):
//   grid  = (ceil(out_w / 32), ceil(out_h / 8), n)   block = (32, 8, 1)
//   frames: the batch's packed I420 planes (device), slots: n DcSlot (device), norm: one DcNorm.
#include <cuda_fp16.h>

#include "depthcast_math.cuh"

template <typename T>
__device__ __forceinline__ T dc_store_value(float v);

template <>
__device__ __forceinline__ float dc_store_value<float>(float v) {
    return v;
}

template <>
__device__ __forceinline__ __half dc_store_value<__half>(float v) {
    return __float2half_rn(v);
}

template <typename T>
__device__ __forceinline__ void dc_preprocess(const uint8_t* __restrict__ frames, const DcSlot* __restrict__ slots,
                                              const DcNorm* __restrict__ norm, T* __restrict__ out, int n) {
    const int ox = blockIdx.x * blockDim.x + threadIdx.x;
    const int oy = blockIdx.y * blockDim.y + threadIdx.y;
    const int b = blockIdx.z;
    const DcNorm nm = *norm;
    if (b >= n || ox >= nm.out_w || oy >= nm.out_h) {
        return;
    }
    const DcSlot s = slots[b];
    float value[3];
    dc_preprocess_pixel(frames, s, nm, ox, oy, value);
#pragma unroll
    for (int c = 0; c < 3; c++) {
        out[dc_nchw_index(b, nm.channel_slot[c], ox, oy, nm.out_w, nm.out_h)] = dc_store_value<T>(value[c]);
    }
}

extern "C" __global__ void dc_preprocess_f16(const uint8_t* frames, const DcSlot* slots, const DcNorm* norm,
                                             __half* out, int n) {
    dc_preprocess<__half>(frames, slots, norm, out, n);
}

extern "C" __global__ void dc_preprocess_f32(const uint8_t* frames, const DcSlot* slots, const DcNorm* norm,
                                             float* out, int n) {
    dc_preprocess<float>(frames, slots, norm, out, n);
}
