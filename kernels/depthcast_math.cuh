// depthcast per-pixel math: THE implementation of docs/pipeline-math.md for the GPU path.
//
// Compiled twice: by nvcc into kernels/preprocess.cu and kernels/unproject.cu (HD = __host__
// __device__ __forceinline__), and by g++ into kernels/test/host_parity.cpp (HD = inline), which
// checks it against golden vectors that the Java CPU path (server/.../process) also reproduces.
// One truth for the math, two runtimes.
//
// Rules that keep the three implementations bit-compatible:
//  * plain structs and <stdint.h> only: no CUDA types here (__half and thread indexing stay in
//    the .cu files);
//  * float arithmetic in the same order as the Java code, no fused multiply-adds (the .cu files
//    are built with -fmad=false), IEEE division;
//  * everything per batch or per slot (normalisation constants, intrinsics) is computed once on
//    the host by the Java code and passed in (DcNorm, DcSlot), never recomputed here.
//
// The struct layouts below are written byte for byte by dev.depthcast.backend.cuda.SlotTable;
// the static_asserts pin the offsets that class uses.
#ifndef DEPTHCAST_MATH_CUH
#define DEPTHCAST_MATH_CUH

#include <stddef.h>
#include <stdint.h>
#include <math.h>

#if defined(__CUDACC__)
#define HD __host__ __device__ __forceinline__
#else
#define HD inline
#endif

// ---------------------------------------------------------------------------------------------
// Layouts shared with Java (all fields 4 bytes, little-endian, no padding)
// ---------------------------------------------------------------------------------------------

// How a slot's model output becomes metres (DcSlot.mapping).
#define DC_MAP_FRAME_RANGE 0  // relative inverse depth through the frame's own extent (range kernel)
#define DC_MAP_STABILISED 1   // aligned relative values through the session's lo..hi (host stabiliser)
#define DC_MAP_METRIC 2       // metres already

// One batch slot: where its I420 frame is in the batch's frame buffer, and how its depth grid
// becomes points. 96 bytes.
struct DcSlot {
    uint32_t y_off;        // byte offset of the Y plane in the frame buffer
    uint32_t u_off;        // byte offset of the U plane
    uint32_t v_off;        // byte offset of the V plane
    int32_t width;         // frame width (Y stride)
    int32_t height;        // frame height
    int32_t chroma_width;  // (width+1)/2 (U/V stride)
    int32_t stride;        // sampling step on the depth grid
    int32_t samples_w;     // ceil(grid_w / stride)
    int32_t samples_h;     // ceil(grid_h / stride)
    uint32_t point_off;    // first point index of this slot in the batch's point buffers
    float fx, fy, cx, cy;  // intrinsics in depth-grid pixels (computed by Java's Intrinsics.of)
    float near_m;          // metres the nearest thing maps to
    float far_m;           // metres the farthest thing maps to
    float edge;            // relative depth jump that drops a point (0 disables)
    int32_t mapping;       // DC_MAP_*
    float stable_lo;       // DC_MAP_STABILISED: the value that maps to far
    float stable_hi;       // DC_MAP_STABILISED: the value that maps to near
    float noise_k;         // a neighbour difference within noise_k * z_max^2 is noise, no edge
    int32_t reserved[3];
};

// Per batch (per pipeline, really: the preset is fixed): NCHW geometry and normalisation
// value*scale[c] + offset[c], written at channel plane channel_slot[c]. 48 bytes.
struct DcNorm {
    int32_t out_w;
    int32_t out_h;
    float scale[3];        // 1 / (255 * std[c])
    float offset[3];       // -mean[c] / std[c]
    int32_t channel_slot[3];
    int32_t reserved;
};

// Offsets used by dev.depthcast.backend.cuda.SlotTable (checked there by a test, and here).
static_assert(sizeof(DcSlot) == 96, "DcSlot layout changed: update SlotTable.java");
static_assert(offsetof(DcSlot, stride) == 24, "DcSlot layout changed: update SlotTable.java");
static_assert(offsetof(DcSlot, point_off) == 36, "DcSlot layout changed: update SlotTable.java");
static_assert(offsetof(DcSlot, fx) == 40, "DcSlot layout changed: update SlotTable.java");
static_assert(offsetof(DcSlot, edge) == 64, "DcSlot layout changed: update SlotTable.java");
static_assert(offsetof(DcSlot, mapping) == 68, "DcSlot layout changed: update SlotTable.java");
static_assert(offsetof(DcSlot, noise_k) == 80, "DcSlot layout changed: update SlotTable.java");
static_assert(sizeof(DcNorm) == 48, "DcNorm layout changed: update SlotTable.java");
static_assert(offsetof(DcNorm, channel_slot) == 32, "DcNorm layout changed: update SlotTable.java");

struct DcRgb {
    float r, g, b;
};

struct DcRgb8 {
    uint8_t r, g, b;
};

struct DcXyz {
    float x, y, z;
};

// ---------------------------------------------------------------------------------------------
// I420 -> RGB, BT.601 limited range (same constants as process/Yuv.java)
// ---------------------------------------------------------------------------------------------

#define DC_KY 1.164383f
#define DC_KRV 1.596027f
#define DC_KGU 0.391762f
#define DC_KGV 0.812968f
#define DC_KBU 2.017232f

HD float dc_clamp255(float x) {
    return x < 0.0f ? 0.0f : (x > 255.0f ? 255.0f : x);
}

HD DcRgb dc_yuv_to_rgb(int y, int u, int v) {
    DcRgb o;
    o.r = dc_clamp255(DC_KY * (float)(y - 16) + DC_KRV * (float)(v - 128));
    o.g = dc_clamp255(DC_KY * (float)(y - 16) - DC_KGU * (float)(u - 128) - DC_KGV * (float)(v - 128));
    o.b = dc_clamp255(DC_KY * (float)(y - 16) + DC_KBU * (float)(u - 128));
    return o;
}

// Colour rounding for point colours: (uint8)(v + 0.5f). v is already clamped to [0, 255].
HD uint8_t dc_to_byte(float channel) {
    return (uint8_t)(int)(channel + 0.5f);
}

// RGB of pixel (x, y) of a tightly packed I420 frame.
HD DcRgb dc_i420_rgb(const uint8_t* yp, const uint8_t* up, const uint8_t* vp, int width,
                     int chroma_width, int x, int y) {
    int c = (y >> 1) * chroma_width + (x >> 1);
    return dc_yuv_to_rgb(yp[y * width + x], up[c], vp[c]);
}

// ---------------------------------------------------------------------------------------------
// Resize: bilinear, half-pixel centres, clamped
// ---------------------------------------------------------------------------------------------

// Source coordinate of output index o: (o + 0.5) * src / dst - 0.5, clamped to [0, src-1].
HD float dc_source_coordinate(int o, int src, int dst) {
    float s = ((float)o + 0.5f) * (float)src / (float)dst - 0.5f;
    if (s < 0.0f) {
        return 0.0f;
    }
    float hi = (float)(src - 1);
    return s < hi ? s : hi;
}

HD float dc_lerp(float a, float b, float t) {
    return a + (b - a) * t;
}

// Bilinearly resized RGB (0..255 floats) at output pixel (ox, oy) of a dst_w x dst_h image.
// Each neighbour is converted to RGB first, then blended (as the Java Preprocessor does).
HD DcRgb dc_resized_rgb(const uint8_t* yp, const uint8_t* up, const uint8_t* vp, int width,
                        int height, int chroma_width, int dst_w, int dst_h, int ox, int oy) {
    float sx = dc_source_coordinate(ox, width, dst_w);
    float sy = dc_source_coordinate(oy, height, dst_h);
    int x0 = (int)sx;
    int y0 = (int)sy;
    int x1 = x0 + 1 < width - 1 ? x0 + 1 : width - 1;
    int y1 = y0 + 1 < height - 1 ? y0 + 1 : height - 1;
    float ax = sx - (float)x0;
    float ay = sy - (float)y0;
    DcRgb p00 = dc_i420_rgb(yp, up, vp, width, chroma_width, x0, y0);
    DcRgb p10 = dc_i420_rgb(yp, up, vp, width, chroma_width, x1, y0);
    DcRgb p01 = dc_i420_rgb(yp, up, vp, width, chroma_width, x0, y1);
    DcRgb p11 = dc_i420_rgb(yp, up, vp, width, chroma_width, x1, y1);
    DcRgb o;
    o.r = dc_lerp(dc_lerp(p00.r, p10.r, ax), dc_lerp(p01.r, p11.r, ax), ay);
    o.g = dc_lerp(dc_lerp(p00.g, p10.g, ax), dc_lerp(p01.g, p11.g, ax), ay);
    o.b = dc_lerp(dc_lerp(p00.b, p10.b, ax), dc_lerp(p01.b, p11.b, ax), ay);
    return o;
}

// value = (rgb/255 - mean)/std, computed as rgb*scale + offset with the host's scale/offset.
HD float dc_normalise(float v, float scale, float offset) {
    return v * scale + offset;
}

// The three normalised channel values of output pixel (ox, oy) for slot s, in RGB order;
// the caller writes value[c] at plane norm.channel_slot[c].
HD void dc_preprocess_pixel(const uint8_t* frames, const DcSlot& s, const DcNorm& n, int ox, int oy,
                            float value[3]) {
    DcRgb p = dc_resized_rgb(frames + s.y_off, frames + s.u_off, frames + s.v_off, s.width, s.height,
                             s.chroma_width, n.out_w, n.out_h, ox, oy);
    value[0] = dc_normalise(p.r, n.scale[0], n.offset[0]);
    value[1] = dc_normalise(p.g, n.scale[1], n.offset[1]);
    value[2] = dc_normalise(p.b, n.scale[2], n.offset[2]);
}

// Index of channel plane c, pixel (ox, oy), batch slot b in an NCHW tensor.
HD size_t dc_nchw_index(int b, int c, int ox, int oy, int w, int h) {
    return (size_t)b * 3u * (size_t)w * (size_t)h + (size_t)c * (size_t)w * (size_t)h + (size_t)oy * (size_t)w
           + (size_t)ox;
}

// ---------------------------------------------------------------------------------------------
// Depth: finite range, inverse depth -> metres
// ---------------------------------------------------------------------------------------------

HD bool dc_finite(float r) {
    return isfinite(r);
}

HD bool dc_nan(float r) {
    return isnan(r);
}

// Running min/max of the finite values (start from lo = +inf, hi = -inf).
HD void dc_range_add(float r, float& lo, float& hi) {
    if (dc_finite(r)) {
        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
    }
}

// Relative inverse depth r -> metres in [near, far]; NaN when r is not finite.
HD float dc_metres(float r, float lo, float hi, float near_m, float far_m) {
    if (!dc_finite(r)) {
        return NAN;
    }
    float t = (hi - lo < 1e-6f) ? 0.5f : (r - lo) / (hi - lo);
    float inv = 1.0f / far_m + t * (1.0f / near_m - 1.0f / far_m);
    return 1.0f / inv;
}

// Aligned relative value -> metres through the session's lo..hi, clamped to [near/4, 4*far]
// (process/StabilisedMapping.metres, same float operations); NaN when not finite.
HD float dc_stable_metres(float r, float lo, float hi, float near_m, float far_m) {
    if (!dc_finite(r)) {
        return NAN;
    }
    float t = hi - lo > 0.0f ? (r - lo) / (hi - lo) : 0.5f;
    float inv = 1.0f / far_m + t * (1.0f / near_m - 1.0f / far_m);
    float most = 4.0f / near_m;
    float least = 1.0f / (far_m * 4.0f);
    inv = inv < most ? inv : most;
    inv = inv > least ? inv : least;
    return 1.0f / inv;
}

// A metric model's value: metres where finite and positive, else NaN.
HD float dc_metric_metres(float r) {
    return dc_finite(r) && r > 0.0f ? r : NAN;
}

// A neighbour that is itself invalid is no edge; nor is a difference within the model's noise
// (noise_k * z_max^2, 0 when unknown).
HD bool dc_jump(float d, float neighbour, float edge, float noise_k) {
    if (dc_nan(neighbour)) {
        return false;
    }
    float m = neighbour < d ? neighbour : d;
    float big = neighbour > d ? neighbour : d;
    float diff = fabsf(neighbour - d);
    return diff > edge * m && diff > noise_k * big * big;
}

// ---------------------------------------------------------------------------------------------
// Intrinsics (reference only: the kernels get fx, fy, cx, cy from DcSlot, computed by Java)
// ---------------------------------------------------------------------------------------------

struct DcIntrinsics {
    float fx, fy, cx, cy;
};

HD DcIntrinsics dc_intrinsics(int grid_w, int grid_h, int src_w, int src_h, float hfov_degrees) {
    DcIntrinsics k;
    double half = (double)hfov_degrees * (3.14159265358979323846 / 180.0) / 2.0;  // Math.toRadians / 2
    k.fx = (float)(((double)grid_w / 2.0) / tan(half));
    k.fy = (float)((double)k.fx * ((double)grid_h / (double)grid_w) * ((double)src_w / (double)src_h));
    k.cx = (float)grid_w / 2.0f;
    k.cy = (float)grid_h / 2.0f;
    return k;
}

// ---------------------------------------------------------------------------------------------
// Sampling, validity, unprojection, colour
// ---------------------------------------------------------------------------------------------

// Metric depth at sample (i, j) of a grid_w-wide depth grid (NaN = invalid), by the slot's
// mapping; lo, hi is the frame's own extent (used by DC_MAP_FRAME_RANGE only).
template <typename LoadDepth>
HD float dc_sample_metres(const LoadDepth& load, int grid_w, const DcSlot& s, float lo, float hi, int i,
                          int j) {
    float r = load((size_t)j * (size_t)s.stride * (size_t)grid_w + (size_t)i * (size_t)s.stride);
    if (s.mapping == DC_MAP_STABILISED) {
        return dc_stable_metres(r, s.stable_lo, s.stable_hi, s.near_m, s.far_m);
    }
    if (s.mapping == DC_MAP_METRIC) {
        return dc_metric_metres(r);
    }
    return dc_metres(r, lo, hi, s.near_m, s.far_m);
}

// Validity of sample (i, j) with metric depth d: finite, and (edge > 0) no jump to the sampled
// neighbour to the right or below where that neighbour exists.
template <typename LoadDepth>
HD bool dc_sample_valid(const LoadDepth& load, int grid_w, const DcSlot& s, float lo, float hi, int i, int j,
                        float d) {
    if (dc_nan(d)) {
        return false;
    }
    const float edge = s.edge;
    if (edge <= 0.0f) {
        return true;
    }
    if (i + 1 < s.samples_w && dc_jump(d, dc_sample_metres(load, grid_w, s, lo, hi, i + 1, j), edge, s.noise_k)) {
        return false;
    }
    if (j + 1 < s.samples_h && dc_jump(d, dc_sample_metres(load, grid_w, s, lo, hi, i, j + 1), edge, s.noise_k)) {
        return false;
    }
    return true;
}

// Camera-frame point (OpenGL/three.js: x right, y up, looking down -z) of grid pixel (u, v).
HD DcXyz dc_unproject(int u, int v, float z, const DcSlot& s) {
    DcXyz p;
    p.x = (((float)u + 0.5f) - s.cx) / s.fx * z;
    p.y = (-(((float)v + 0.5f) - s.cy)) / s.fy * z;
    p.z = -z;
    return p;
}

// Colour of grid pixel (u, v): the source pixel it covers, rounded RGB.
HD DcRgb8 dc_point_colour(const uint8_t* frames, const DcSlot& s, int grid_w, int grid_h, int u, int v) {
    int sx = (int)(((float)u + 0.5f) * (float)s.width / (float)grid_w);
    int sy = (int)(((float)v + 0.5f) * (float)s.height / (float)grid_h);
    sx = sx < s.width - 1 ? sx : s.width - 1;
    sy = sy < s.height - 1 ? sy : s.height - 1;
    DcRgb c = dc_i420_rgb(frames + s.y_off, frames + s.u_off, frames + s.v_off, s.width, s.chroma_width, sx, sy);
    DcRgb8 o;
    o.r = dc_to_byte(c.r);
    o.g = dc_to_byte(c.g);
    o.b = dc_to_byte(c.b);
    return o;
}

#endif  // DEPTHCAST_MATH_CUH
