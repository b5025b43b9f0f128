// Unprojection: the engine's depth batch -> for every slot, with its own intrinsics, stride,
// range and edge rule -> compact xyz + rgb (colours from that slot's source frame) + a point
// count per slot. Kept points are in row-major sample order, exactly as the Java Unprojector
// writes them, so the outputs compare 1:1. The math is depthcast_math.cuh.
//
// Three launches on the pipeline's stream (dev.depthcast.backend.cuda.LaunchGeometry):
//   1. dc_depth_range_*   grid (n)                         block (256): finite min/max per slot
//   2. dc_sample_*        grid (ceil(max samples / 256), n) block (256): metres + keep flag
//   3. dc_compact         grid (n)                         block (512): stable compaction by an
//      exclusive scan of per-thread counts over contiguous chunks, then xyz/rgb written in order
// Buffers z, keep, xyz, rgb are packed by DcSlot.point_off (prefix sums of samples per slot,
// computed on the host), so slot b owns [point_off, point_off + samples_w * samples_h).
#include <cuda_fp16.h>

#include "depthcast_math.cuh"

#define DC_RANGE_THREADS 256
#define DC_COMPACT_MAX_THREADS 1024

template <typename T>
struct DcDepthLoad;

template <>
struct DcDepthLoad<float> {
    const float* p;
    __host__ __device__ __forceinline__ float operator()(size_t i) const {
        return p[i];
    }
};

template <>
struct DcDepthLoad<__half> {
    const __half* p;
    __host__ __device__ __forceinline__ float operator()(size_t i) const {
        return __half2float(p[i]);
    }
};

// ---- 1. finite min/max of each slot's whole depth grid -------------------------------------

template <typename T>
__device__ __forceinline__ void dc_depth_range(const T* __restrict__ depth, int grid_w, int grid_h,
                                               float* __restrict__ range, int n) {
    __shared__ float s_lo[DC_RANGE_THREADS];
    __shared__ float s_hi[DC_RANGE_THREADS];
    const int b = blockIdx.x;
    if (b >= n) {
        return;
    }
    const size_t pixels = (size_t)grid_w * (size_t)grid_h;
    DcDepthLoad<T> load{depth + (size_t)b * pixels};
    float lo = INFINITY;
    float hi = -INFINITY;
    for (size_t i = threadIdx.x; i < pixels; i += blockDim.x) {
        dc_range_add(load(i), lo, hi);
    }
    s_lo[threadIdx.x] = lo;
    s_hi[threadIdx.x] = hi;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) {
            s_lo[threadIdx.x] = fminf(s_lo[threadIdx.x], s_lo[threadIdx.x + half]);
            s_hi[threadIdx.x] = fmaxf(s_hi[threadIdx.x], s_hi[threadIdx.x + half]);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        range[2 * b] = s_lo[0];
        range[2 * b + 1] = s_hi[0];
    }
}

extern "C" __global__ void __launch_bounds__(DC_RANGE_THREADS)
    dc_depth_range_f16(const __half* depth, int grid_w, int grid_h, float* range, int n) {
    dc_depth_range<__half>(depth, grid_w, grid_h, range, n);
}

extern "C" __global__ void __launch_bounds__(DC_RANGE_THREADS)
    dc_depth_range_f32(const float* depth, int grid_w, int grid_h, float* range, int n) {
    dc_depth_range<float>(depth, grid_w, grid_h, range, n);
}

// ---- 2. metric depth and keep flag at every sample ------------------------------------------

template <typename T>
__device__ __forceinline__ void dc_sample(const T* __restrict__ depth, int grid_w, int grid_h,
                                          const DcSlot* __restrict__ slots, const float* __restrict__ range,
                                          float* __restrict__ z, uint8_t* __restrict__ keep, int n) {
    const int b = blockIdx.y;
    if (b >= n) {
        return;
    }
    const DcSlot s = slots[b];
    const int total = s.samples_w * s.samples_h;
    const int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= total) {
        return;
    }
    const int i = k % s.samples_w;
    const int j = k / s.samples_w;
    const float lo = range[2 * b];
    const float hi = range[2 * b + 1];
    DcDepthLoad<T> load{depth + (size_t)b * (size_t)grid_w * (size_t)grid_h};
    const float d = dc_sample_metres(load, grid_w, s, lo, hi, i, j);
    z[s.point_off + k] = d;
    keep[s.point_off + k] = dc_sample_valid(load, grid_w, s, lo, hi, i, j, d) ? 1 : 0;
}

extern "C" __global__ void dc_sample_f16(const __half* depth, int grid_w, int grid_h, const DcSlot* slots,
                                         const float* range, float* z, uint8_t* keep, int n) {
    dc_sample<__half>(depth, grid_w, grid_h, slots, range, z, keep, n);
}

extern "C" __global__ void dc_sample_f32(const float* depth, int grid_w, int grid_h, const DcSlot* slots,
                                         const float* range, float* z, uint8_t* keep, int n) {
    dc_sample<float>(depth, grid_w, grid_h, slots, range, z, keep, n);
}

// ---- 3. stable compaction: one block per slot -----------------------------------------------

extern "C" __global__ void __launch_bounds__(DC_COMPACT_MAX_THREADS)
    dc_compact(const uint8_t* __restrict__ frames, const DcSlot* __restrict__ slots, const float* __restrict__ z,
               const uint8_t* __restrict__ keep, int grid_w, int grid_h, float* __restrict__ xyz,
               uint8_t* __restrict__ rgb, int* __restrict__ counts, int n) {
    __shared__ int s_scan[DC_COMPACT_MAX_THREADS];
    const int b = blockIdx.x;
    if (b >= n) {
        return;
    }
    const DcSlot s = slots[b];
    const int total = s.samples_w * s.samples_h;
    const int t = threadIdx.x;
    const int threads = blockDim.x;
    int begin;
    int end;
    dc_chunk(t, threads, total, begin, end);
    const uint8_t* my_keep = keep + s.point_off;

    int mine = 0;
    for (int k = begin; k < end; k++) {
        mine += my_keep[k];
    }
    // Inclusive Hillis-Steele scan of the per-thread counts.
    s_scan[t] = mine;
    __syncthreads();
    for (int off = 1; off < threads; off <<= 1) {
        int add = t >= off ? s_scan[t - off] : 0;
        __syncthreads();
        s_scan[t] += add;
        __syncthreads();
    }
    int at = s_scan[t] - mine;  // exclusive prefix: this chunk's first output rank
    if (t == threads - 1) {
        counts[b] = s_scan[t];
    }

    const float* my_z = z + s.point_off;
    for (int k = begin; k < end; k++) {
        if (!my_keep[k]) {
            continue;
        }
        const int u = (k % s.samples_w) * s.stride;
        const int v = (k / s.samples_w) * s.stride;
        const DcXyz p = dc_unproject(u, v, my_z[k], s);
        const DcRgb8 c = dc_point_colour(frames, s, grid_w, grid_h, u, v);
        const size_t o = ((size_t)s.point_off + (size_t)at) * 3u;
        xyz[o] = p.x;
        xyz[o + 1] = p.y;
        xyz[o + 2] = p.z;
        rgb[o] = c.r;
        rgb[o + 1] = c.g;
        rgb[o + 2] = c.b;
        at++;
    }
}
