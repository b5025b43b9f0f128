// Host emulation of the kernels' thread structure, shared by the host parity test
// (host_parity.cpp) and the device runner (device_golden.cu, which checks the device against it at
// realistic sizes): the same per-pixel functions of depthcast_math.cuh, the same partitions of
// work (range parts, sample tiles, tile ranks) as kernels/unproject.cu. Header-only, host code.
#ifndef DEPTHCAST_EMULATION_H
#define DEPTHCAST_EMULATION_H

#include "depthcast_math.cuh"

#include <vector>

namespace emulation {

// kernels/unproject.cu's DC_RANGE_BLOCKS and DC_SAMPLE_THREADS (= LaunchGeometry.RANGE_BLOCKS and
// SAMPLE_THREADS; KernelSourcesTest ties those to the .cu defines).
const int kRangeBlocks = 64;
const int kTileThreads = 256;

struct FloatLoad {
    const float* p;
    HD float operator()(size_t i) const { return p[i]; }
};

// dc_preprocess_*: every (b, ox, oy) thread.
inline void preprocess(const uint8_t* frames, const std::vector<DcSlot>& slots, const DcNorm& n,
                       std::vector<float>& out) {
    out.assign(slots.size() * 3u * (size_t)n.out_w * (size_t)n.out_h, NAN);
    for (size_t b = 0; b < slots.size(); b++) {
        for (int oy = 0; oy < n.out_h; oy++) {
            for (int ox = 0; ox < n.out_w; ox++) {
                float value[3];
                dc_preprocess_pixel(frames, slots[b], n, ox, oy, value);
                for (int c = 0; c < 3; c++) {
                    out[dc_nchw_index((int)b, n.channel_slot[c], ox, oy, n.out_w, n.out_h)] = value[c];
                }
            }
        }
    }
}

// dc_depth_range_* (kRangeBlocks contiguous parts) and the reduction of the parts in dc_sample_*.
inline void depth_range(const float* depth, int gw, int gh, float& lo, float& hi) {
    const size_t pixels = (size_t)gw * (size_t)gh;
    const size_t per = (pixels + kRangeBlocks - 1) / kRangeBlocks;
    lo = INFINITY;
    hi = -INFINITY;
    for (int part = kRangeBlocks - 1; part >= 0; part--) {  // any order: min/max
        float plo = INFINITY;
        float phi = -INFINITY;
        for (size_t i = (size_t)part * per; i < (size_t)(part + 1) * per && i < pixels; i++) {
            dc_range_add(depth[i], plo, phi);
        }
        lo = plo < lo ? plo : lo;
        hi = phi > hi ? phi : hi;
    }
}

// dc_sample_* and dc_compact for slot s: the points in output order.
inline int unproject(const uint8_t* frames, const DcSlot& s, const float* depth, int gw, int gh, float lo, float hi,
                     std::vector<float>& xyz, std::vector<uint8_t>& rgb) {
    const int total = s.samples_w * s.samples_h;
    const int tiles = (total + kTileThreads - 1) / kTileThreads;
    std::vector<float> z(total);
    std::vector<uint8_t> keep(total);
    std::vector<int> tile_kept(tiles, 0);
    FloatLoad load{depth};
    for (int k = 0; k < total; k++) {
        int i = k % s.samples_w;
        int j = k / s.samples_w;
        z[k] = dc_sample_metres(load, gw, s, lo, hi, i, j);
        keep[k] = dc_sample_valid(load, gw, s, lo, hi, i, j, z[k]) ? 1 : 0;
        tile_kept[k / kTileThreads] += keep[k];
    }
    int count = 0;
    for (int t = 0; t < tiles; t++) {
        count += tile_kept[t];
    }
    xyz.assign((size_t)count * 3, NAN);
    rgb.assign((size_t)count * 3, 0);
    // Tiles in reverse, to show the result does not depend on the order blocks run in: each tile's
    // first rank is the sum of the earlier tiles' counts, each point's the kept points before it
    // in the tile (the warp ballots).
    for (int t = tiles - 1; t >= 0; t--) {
        int at = 0;
        for (int e = 0; e < t; e++) {
            at += tile_kept[e];
        }
        for (int k = t * kTileThreads; k < (t + 1) * kTileThreads && k < total; k++) {
            if (!keep[k]) {
                continue;
            }
            int u = (k % s.samples_w) * s.stride;
            int v = (k / s.samples_w) * s.stride;
            DcXyz p = dc_unproject(u, v, z[k], s);
            DcRgb8 c = dc_point_colour(frames, s, gw, gh, u, v);
            xyz[at * 3] = p.x;
            xyz[at * 3 + 1] = p.y;
            xyz[at * 3 + 2] = p.z;
            rgb[at * 3] = c.r;
            rgb[at * 3 + 1] = c.g;
            rgb[at * 3 + 2] = c.b;
            at++;
        }
    }
    return count;
}

}  // namespace emulation

#endif  // DEPTHCAST_EMULATION_H
