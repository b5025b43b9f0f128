// Unprojection: the engine's depth batch -> for every slot, with its own intrinsics, stride,
// range and edge rule -> compact xyz + rgb (colours from that slot's source frame) + a point
// count per slot. Kept points are in row-major sample order, exactly as the Java Unprojector
// writes them, so the outputs compare 1:1. The math is depthcast_math.cuh.
//
// Three launches on the pipeline's stream (dev.depthcast.backend.cuda.LaunchGeometry), every one
// spread over many blocks per slot (one block per slot left most of the GPU idle: measured on an
// H200, range 0.13 ms and compaction 0.17 ms a batch, kernels/README.md):
//   1. dc_depth_range_*  grid (DC_RANGE_BLOCKS, n)            block (256): finite min/max of a
//      contiguous part of the slot's grid -> partial[b][block] (lo, hi)
//   2. dc_sample_*       grid (ceil(max samples / 256), n)    block (256): reduces the slot's
//      partials to its range, then metres + keep flag per sample, and the tile's kept count
//   3. dc_compact        the same grid and block as 2: each tile's first output rank is the sum
//      of the kept counts of the slot's earlier tiles, each point's rank within the tile a warp
//      ballot scan; xyz/rgb written in row-major order (stable, no gaps), counts by the last tile
// Buffers z, keep, xyz, rgb are packed by DcSlot.point_off (prefix sums of samples per slot,
// computed on the host), so slot b owns [point_off, point_off + samples_w * samples_h); tile
// counts are indexed [b * gridDim.x + tile].
#include <cuda_fp16.h>

#include "depthcast_math.cuh"

#define DC_RANGE_THREADS 256
#define DC_RANGE_BLOCKS 64
#define DC_SAMPLE_THREADS 256
#define DC_WARPS (DC_SAMPLE_THREADS / 32)

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

// ---- 1. finite min/max of each slot's grid, in DC_RANGE_BLOCKS parts ---------------------------

template <typename T>
__device__ __forceinline__ void dc_depth_range(const T* __restrict__ depth, int grid_w, int grid_h,
                                               float* __restrict__ partial, int n) {
    __shared__ float s_lo[DC_RANGE_THREADS];
    __shared__ float s_hi[DC_RANGE_THREADS];
    const int b = blockIdx.y;
    if (b >= n) {
        return;
    }
    const size_t pixels = (size_t)grid_w * (size_t)grid_h;
    const size_t per = (pixels + DC_RANGE_BLOCKS - 1) / DC_RANGE_BLOCKS;
    const size_t begin = (size_t)blockIdx.x * per;
    const size_t end = begin + per < pixels ? begin + per : pixels;
    DcDepthLoad<T> load{depth + (size_t)b * pixels};
    float lo = INFINITY;
    float hi = -INFINITY;
    for (size_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
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
        const size_t at = 2u * ((size_t)b * DC_RANGE_BLOCKS + blockIdx.x);
        partial[at] = s_lo[0];
        partial[at + 1] = s_hi[0];
    }
}

extern "C" __global__ void __launch_bounds__(DC_RANGE_THREADS)
    dc_depth_range_f16(const __half* depth, int grid_w, int grid_h, float* partial, int n) {
    dc_depth_range<__half>(depth, grid_w, grid_h, partial, n);
}

extern "C" __global__ void __launch_bounds__(DC_RANGE_THREADS)
    dc_depth_range_f32(const float* depth, int grid_w, int grid_h, float* partial, int n) {
    dc_depth_range<float>(depth, grid_w, grid_h, partial, n);
}

// ---- 2. metric depth, keep flag and each tile's kept count ------------------------------------

template <typename T>
__device__ __forceinline__ void dc_sample(const T* __restrict__ depth, int grid_w, int grid_h,
                                          const DcSlot* __restrict__ slots, const float* __restrict__ partial,
                                          float* __restrict__ z, uint8_t* __restrict__ keep,
                                          int* __restrict__ tile_counts, int n) {
    __shared__ float s_lo[DC_RANGE_BLOCKS];
    __shared__ float s_hi[DC_RANGE_BLOCKS];
    const int b = blockIdx.y;
    if (b >= n) {
        return;
    }
    const DcSlot s = slots[b];
    const int total = s.samples_w * s.samples_h;
    if ((int)blockIdx.x * DC_SAMPLE_THREADS >= total) {
        return;  // the whole tile lies past this (smaller) slot: uniform per block
    }
    // The slot's range from the DC_RANGE_BLOCKS partials (min/max: order does not matter).
    if (threadIdx.x < DC_RANGE_BLOCKS) {
        s_lo[threadIdx.x] = partial[2u * ((size_t)b * DC_RANGE_BLOCKS + threadIdx.x)];
        s_hi[threadIdx.x] = partial[2u * ((size_t)b * DC_RANGE_BLOCKS + threadIdx.x) + 1];
    }
    __syncthreads();
    for (unsigned half = DC_RANGE_BLOCKS / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) {
            s_lo[threadIdx.x] = fminf(s_lo[threadIdx.x], s_lo[threadIdx.x + half]);
            s_hi[threadIdx.x] = fmaxf(s_hi[threadIdx.x], s_hi[threadIdx.x + half]);
        }
        __syncthreads();
    }
    const float lo = s_lo[0];
    const float hi = s_hi[0];
    const int k = blockIdx.x * DC_SAMPLE_THREADS + threadIdx.x;
    int kept = 0;
    if (k < total) {
        const int i = k % s.samples_w;
        const int j = k / s.samples_w;
        DcDepthLoad<T> load{depth + (size_t)b * (size_t)grid_w * (size_t)grid_h};
        const float d = dc_sample_metres(load, grid_w, s, lo, hi, i, j);
        kept = dc_sample_valid(load, grid_w, s, lo, hi, i, j, d) ? 1 : 0;
        z[s.point_off + k] = d;
        keep[s.point_off + k] = (uint8_t)kept;
    }
    const int tile_kept = __syncthreads_count(kept);
    if (threadIdx.x == 0) {
        tile_counts[(size_t)b * gridDim.x + blockIdx.x] = tile_kept;
    }
}

extern "C" __global__ void __launch_bounds__(DC_SAMPLE_THREADS)
    dc_sample_f16(const __half* depth, int grid_w, int grid_h, const DcSlot* slots, const float* partial, float* z,
                  uint8_t* keep, int* tile_counts, int n) {
    dc_sample<__half>(depth, grid_w, grid_h, slots, partial, z, keep, tile_counts, n);
}

extern "C" __global__ void __launch_bounds__(DC_SAMPLE_THREADS)
    dc_sample_f32(const float* depth, int grid_w, int grid_h, const DcSlot* slots, const float* partial, float* z,
                  uint8_t* keep, int* tile_counts, int n) {
    dc_sample<float>(depth, grid_w, grid_h, slots, partial, z, keep, tile_counts, n);
}

// ---- 3. stable compaction, one tile of samples per block --------------------------------------

extern "C" __global__ void __launch_bounds__(DC_SAMPLE_THREADS)
    dc_compact(const uint8_t* __restrict__ frames, const DcSlot* __restrict__ slots, const float* __restrict__ z,
               const uint8_t* __restrict__ keep, const int* __restrict__ tile_counts, int grid_w, int grid_h,
               float* __restrict__ xyz, uint8_t* __restrict__ rgb, int* __restrict__ counts, int n) {
    __shared__ int s_sum[DC_SAMPLE_THREADS];
    __shared__ int s_warp[DC_WARPS];
    const int b = blockIdx.y;
    if (b >= n) {
        return;
    }
    const DcSlot s = slots[b];
    const int total = s.samples_w * s.samples_h;
    const int tile = blockIdx.x;
    if (tile * DC_SAMPLE_THREADS >= total) {
        return;  // uniform per block, as in dc_sample
    }
    const int t = threadIdx.x;
    // This tile's first output rank: the kept counts of the slot's earlier tiles.
    const int* my_tiles = tile_counts + (size_t)b * gridDim.x;
    int before = 0;
    for (int j = t; j < tile; j += DC_SAMPLE_THREADS) {
        before += my_tiles[j];
    }
    s_sum[t] = before;
    __syncthreads();
    for (int half = DC_SAMPLE_THREADS / 2; half > 0; half >>= 1) {
        if (t < half) {
            s_sum[t] += s_sum[t + half];
        }
        __syncthreads();
    }
    const int tile_first = s_sum[0];

    // Rank within the tile: ballot within the warp, then the warps before this one.
    const int k = tile * DC_SAMPLE_THREADS + t;
    const bool kept = k < total && keep[s.point_off + k] != 0;
    const unsigned ballot = __ballot_sync(0xffffffffu, kept);
    const int lane = t & 31;
    const int warp = t >> 5;
    if (lane == 0) {
        s_warp[warp] = __popc(ballot);
    }
    __syncthreads();
    int rank = __popc(ballot & ((1u << lane) - 1u));
    for (int w = 0; w < warp; w++) {
        rank += s_warp[w];
    }
    const int last_tile = (total - 1) / DC_SAMPLE_THREADS;
    if (tile == last_tile && t == 0) {
        int tile_kept = 0;
        for (int w = 0; w < DC_WARPS; w++) {
            tile_kept += s_warp[w];
        }
        counts[b] = tile_first + tile_kept;
    }
    if (!kept) {
        return;
    }
    const int u = (k % s.samples_w) * s.stride;
    const int v = (k / s.samples_w) * s.stride;
    const DcXyz p = dc_unproject(u, v, z[s.point_off + k], s);
    const DcRgb8 c = dc_point_colour(frames, s, grid_w, grid_h, u, v);
    const size_t o = ((size_t)s.point_off + (size_t)(tile_first + rank)) * 3u;
    xyz[o] = p.x;
    xyz[o + 1] = p.y;
    xyz[o + 2] = p.z;
    rgb[o] = c.r;
    rgb[o + 1] = c.g;
    rgb[o + 2] = c.b;
}
