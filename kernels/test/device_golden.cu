// Device runner: the kernels the server ships (the fatbin of scripts/build-kernels.sh, loaded with
// cuModuleLoadData and launched with cuLaunchKernel in the shapes of LaunchGeometry.java, as
// CudaDriver does) over the golden vectors the Java CPU path writes; then, with --bench, each
// stage of a realistic batch timed with CUDA events; with --spin, what a host thread pays to wait
// on an event created with and without CU_EVENT_BLOCKING_SYNC.
//
// It needs a GPU and runs only on a GPU host (scripts/device-check.sh); CI compiles it
// (scripts/test-kernels.sh) so it cannot rot.
//
//   device_golden FATBIN GOLDEN_DIR [--bench] [--spin] [--ctx-blocking]
//
// Checks, per golden file:
//   * dc_preprocess_f32 vs the Java tensor (1e-3; the report gives the worst difference);
//   * dc_preprocess_f16 vs the Java tensor (one FP16 rounding: |d| <= max(1e-3, |e| * 2^-11));
//   * dc_depth_range_f32, dc_sample_f32, dc_compact vs the Java range, counts, xyz (1e-3), rgb (exact);
//   * the FP16 depth path: the *_f16 kernels on the depths rounded to half give exactly what the
//     *_f32 kernels give on the same (half-representable) values - counts, xyz and rgb bitwise;
// and the same checks on a realistic batch (8 slots, 504x378 grid, mixed frame sizes, strides
// 1..4, edges and invalid depth) against the host emulation of the header (emulation.h).
#include <cuda.h>
#include <cuda_fp16.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "emulation.h"
#include "golden_io.h"

using namespace golden;
using emulation::kRangeBlocks;
using emulation::kTileThreads;

namespace {

void check_cu(CUresult r, const char* what, int line) {
    if (r != CUDA_SUCCESS) {
        const char* name = "?";
        const char* text = "?";
        cuGetErrorName(r, &name);
        cuGetErrorString(r, &text);
        std::fprintf(stderr, "CUDA error at line %d: %s: %s (%s)\n", line, what, name, text);
        std::exit(2);
    }
}
#define CU(call) check_cu((call), #call, __LINE__)

// Mirrors dev.depthcast.backend.cuda.LaunchGeometry.
const int kPreprocessBlockX = 32;
const int kPreprocessBlockY = 8;
const int kRangeThreads = 256;

int ceil_div(int a, int b) {
    return (a + b - 1) / b;
}

struct Kernels {
    CUmodule module;
    CUfunction pre_f16, pre_f32, range_f16, range_f32, sample_f16, sample_f32, compact;

    explicit Kernels(const std::vector<char>& image) {
        CU(cuModuleLoadData(&module, image.data()));
        CU(cuModuleGetFunction(&pre_f16, module, "dc_preprocess_f16"));
        CU(cuModuleGetFunction(&pre_f32, module, "dc_preprocess_f32"));
        CU(cuModuleGetFunction(&range_f16, module, "dc_depth_range_f16"));
        CU(cuModuleGetFunction(&range_f32, module, "dc_depth_range_f32"));
        CU(cuModuleGetFunction(&sample_f16, module, "dc_sample_f16"));
        CU(cuModuleGetFunction(&sample_f32, module, "dc_sample_f32"));
        CU(cuModuleGetFunction(&compact, module, "dc_compact"));
    }
};

// A device buffer freed at scope exit.
struct Buf {
    CUdeviceptr p = 0;
    size_t bytes = 0;
    explicit Buf(size_t n) : bytes(n) { CU(cuMemAlloc(&p, std::max<size_t>(n, 1))); }
    ~Buf() { cuMemFree(p); }
    Buf(const Buf&) = delete;
    Buf& operator=(const Buf&) = delete;
    template <typename T>
    void put(const std::vector<T>& v) { CU(cuMemcpyHtoD(p, v.data(), v.size() * sizeof(T))); }
    template <typename T>
    std::vector<T> get(size_t count) const {
        std::vector<T> v(count);
        CU(cuMemcpyDtoH(v.data(), p, count * sizeof(T)));
        return v;
    }
};

void launch(CUfunction f, int gx, int gy, int gz, int bx, int by, CUstream s, void** args) {
    CU(cuLaunchKernel(f, gx, gy, gz, bx, by, 1, 0, s, args, nullptr));
}

void preprocess(const Kernels& k, bool half, CUdeviceptr frames, CUdeviceptr slots, CUdeviceptr norm, CUdeviceptr out,
                int n, const DcNorm& nm, CUstream s) {
    void* args[] = {&frames, &slots, &norm, &out, &n};
    launch(half ? k.pre_f16 : k.pre_f32, ceil_div(nm.out_w, kPreprocessBlockX), ceil_div(nm.out_h, kPreprocessBlockY),
           n, kPreprocessBlockX, kPreprocessBlockY, s, args);
}

// Scratch and outputs of the unprojection; tile counts sized for the largest slot's tiles.
struct PointBuffers {
    Buf range, z, keep, tiles, xyz, rgb, counts;
    int max_samples;
    PointBuffers(int n, size_t total, int max_samples)
        : range(8u * kRangeBlocks * n), z(4 * total), keep(total),
          tiles(4u * n * ceil_div(std::max(1, max_samples), kTileThreads)), xyz(12 * total), rgb(3 * total),
          counts(4u * n), max_samples(max_samples) {}
};

void depth_range(const Kernels& k, bool half, CUdeviceptr depth, int gw, int gh, PointBuffers& pb, int n, CUstream s) {
    void* args[] = {&depth, &gw, &gh, &pb.range.p, &n};
    launch(half ? k.range_f16 : k.range_f32, kRangeBlocks, n, 1, kRangeThreads, 1, s, args);
}

void sample(const Kernels& k, bool half, CUdeviceptr depth, int gw, int gh, CUdeviceptr slots, PointBuffers& pb,
            int n, CUstream s) {
    void* args[] = {&depth, &gw, &gh, &slots, &pb.range.p, &pb.z.p, &pb.keep.p, &pb.tiles.p, &n};
    launch(half ? k.sample_f16 : k.sample_f32, ceil_div(std::max(1, pb.max_samples), kTileThreads), n, 1,
           kTileThreads, 1, s, args);
}

void compact(const Kernels& k, CUdeviceptr frames, CUdeviceptr slots, int gw, int gh, PointBuffers& pb, int n,
             CUstream s) {
    void* args[] = {&frames, &slots, &pb.z.p, &pb.keep.p, &pb.tiles.p, &gw, &gh, &pb.xyz.p, &pb.rgb.p,
                    &pb.counts.p, &n};
    launch(k.compact, ceil_div(std::max(1, pb.max_samples), kTileThreads), n, 1, kTileThreads, 1, s, args);
}

std::vector<uint16_t> to_half_bits(const std::vector<float>& v) {
    std::vector<uint16_t> out(v.size());
    for (size_t i = 0; i < v.size(); i++) {
        __half_raw raw = __float2half_rn(v[i]);
        out[i] = raw.x;
    }
    return out;
}

std::vector<float> from_half_bits(const std::vector<uint16_t>& v) {
    std::vector<float> out(v.size());
    for (size_t i = 0; i < v.size(); i++) {
        __half_raw raw;
        raw.x = v[i];
        out[i] = __half2float(__half(raw));
    }
    return out;
}

// One batch's inputs as the device gets them.
struct Case {
    std::string name;
    std::vector<uint8_t> frames;
    std::vector<DcSlot> slots;
    DcNorm norm;
    int gw, gh;
    std::vector<float> depth;       // n grids
    std::vector<float> tensor;      // expected NCHW
    std::vector<float> range;       // expected lo, hi per slot
    std::vector<int32_t> counts;    // expected per slot
    std::vector<float> xyz;         // expected, slots concatenated
    std::vector<uint8_t> rgb;

    int n() const { return (int)slots.size(); }
    size_t total_samples() const {
        size_t t = 0;
        for (const DcSlot& s : slots) t += (size_t)s.samples_w * s.samples_h;
        return t;
    }
    int max_samples() const {
        int m = 0;
        for (const DcSlot& s : slots) m = std::max(m, s.samples_w * s.samples_h);
        return m;
    }
};

Case load_case(const std::string& name, const Golden& g) {
    Case c;
    c.name = name;
    c.norm = norm_from(g.bytes("norm"));
    c.gw = g.integer("grid_w");
    c.gh = g.integer("grid_h");
    c.depth = g.floats("depth");
    c.tensor = g.floats("tensor");
    c.xyz = g.floats("xyz");
    c.rgb = g.bytes("rgb");
    if (g.records.count("n")) {
        c.frames = g.bytes("frames");
        const auto& table = g.bytes("slots");
        for (int b = 0; b < g.integer("n"); b++) c.slots.push_back(slot_from(&table[(size_t)b * sizeof(DcSlot)]));
        c.counts = g.ints("counts");
    } else {
        c.frames = g.bytes("y");
        c.frames.insert(c.frames.end(), g.bytes("u").begin(), g.bytes("u").end());
        c.frames.insert(c.frames.end(), g.bytes("v").begin(), g.bytes("v").end());
        c.slots.push_back(slot_from(g.bytes("slot").data()));
        c.counts = {g.integer("count")};
        c.range = g.floats("range");
    }
    return c;
}

struct Cloud {
    std::vector<int32_t> counts;
    std::vector<float> xyz;
    std::vector<uint8_t> rgb;
    std::vector<float> range;
};

// Range, sample, compact on depth already on the device; kept points gathered slot by slot.
Cloud unproject(const Kernels& k, const Case& c, bool half, CUdeviceptr depth, CUdeviceptr frames, CUdeviceptr slots) {
    const int n = c.n();
    PointBuffers pb(n, c.total_samples(), c.max_samples());
    depth_range(k, half, depth, c.gw, c.gh, pb, n, 0);
    sample(k, half, depth, c.gw, c.gh, slots, pb, n, 0);
    compact(k, frames, slots, c.gw, c.gh, pb, n, 0);
    CU(cuCtxSynchronize());
    Cloud out;
    out.counts = pb.counts.get<int32_t>(n);
    std::vector<float> parts = pb.range.get<float>(2u * kRangeBlocks * n);
    for (int b = 0; b < n; b++) {  // the slot's range, as dc_sample reduces the parts
        float lo = INFINITY, hi = -INFINITY;
        for (int p = 0; p < kRangeBlocks; p++) {
            lo = std::min(lo, parts[2u * (b * kRangeBlocks + p)]);
            hi = std::max(hi, parts[2u * (b * kRangeBlocks + p) + 1]);
        }
        out.range.push_back(lo);
        out.range.push_back(hi);
    }
    std::vector<float> xyz = pb.xyz.get<float>(3 * c.total_samples());
    std::vector<uint8_t> rgb = pb.rgb.get<uint8_t>(3 * c.total_samples());
    for (int b = 0; b < n; b++) {
        const size_t at = 3u * c.slots[b].point_off;
        const size_t len = 3u * (size_t)std::max(0, out.counts[b]);
        out.xyz.insert(out.xyz.end(), xyz.begin() + at, xyz.begin() + at + len);
        out.rgb.insert(out.rgb.end(), rgb.begin() + at, rgb.begin() + at + len);
    }
    return out;
}

void check_case(const Kernels& k, const Case& c, Checks& ck) {
    const int n = c.n();
    Buf frames(c.frames.size());
    frames.put(c.frames);
    Buf slots(c.slots.size() * sizeof(DcSlot));
    CU(cuMemcpyHtoD(slots.p, c.slots.data(), slots.bytes));
    Buf norm(sizeof(DcNorm));
    CU(cuMemcpyHtoD(norm.p, &c.norm, sizeof(DcNorm)));
    const size_t elems = (size_t)n * 3u * c.norm.out_w * c.norm.out_h;

    // Preprocess, FP32 and FP16 engine inputs.
    Buf in32(4 * elems);
    preprocess(k, false, frames.p, slots.p, norm.p, in32.p, n, c.norm, 0);
    CU(cuCtxSynchronize());
    ck.close(c.tensor, in32.get<float>(elems), c.name + ": dc_preprocess_f32 vs Java tensor");
    Buf in16(2 * elems);
    preprocess(k, true, frames.p, slots.p, norm.p, in16.p, n, c.norm, 0);
    CU(cuCtxSynchronize());
    std::vector<float> t16 = from_half_bits(in16.get<uint16_t>(elems));
    size_t bad = 0;
    for (size_t i = 0; i < elems; i++) {
        float e = c.tensor[i];
        if (!(std::fabs(t16[i] - e) <= std::max(1e-3f, std::fabs(e) * (1.0f / 2048.0f)))) bad++;
    }
    ck.expect(bad == 0, c.name + ": dc_preprocess_f16 within one FP16 rounding of the Java tensor (" +
                            std::to_string(bad) + " of " + std::to_string(elems) + " off)");

    // Unproject from FP32 depth vs Java.
    Buf d32(4 * c.depth.size());
    d32.put(c.depth);
    Cloud f = unproject(k, c, false, d32.p, frames.p, slots.p);
    if (!c.range.empty()) ck.close(c.range, f.range, c.name + ": dc_depth_range_f32 vs Java range");
    ck.expect(f.counts == c.counts, c.name + ": point counts vs Java");
    ck.close(c.xyz, f.xyz, c.name + ": xyz vs Java");
    ck.same(c.rgb, f.rgb, c.name + ": rgb vs Java");

    // FP16 depth path == FP32 path on the same half-representable values.
    std::vector<uint16_t> hbits = to_half_bits(c.depth);
    Buf d16(2 * hbits.size());
    d16.put(hbits);
    Buf d32h(4 * c.depth.size());
    d32h.put(from_half_bits(hbits));
    Cloud h = unproject(k, c, true, d16.p, frames.p, slots.p);
    Cloud hf = unproject(k, c, false, d32h.p, frames.p, slots.p);
    bool same = h.counts == hf.counts && h.rgb == hf.rgb && h.xyz.size() == hf.xyz.size() &&
                std::memcmp(h.xyz.data(), hf.xyz.data(), 4 * h.xyz.size()) == 0;
    ck.expect(same, c.name + ": *_f16 depth kernels == *_f32 on the same values (bitwise)");
    int points = 0;
    for (int v : f.counts) points += v;
    std::printf("  %-16s n=%d tensor %dx%d grid %dx%d: %d points (Java %zu)\n", c.name.c_str(), n, c.norm.out_w,
                c.norm.out_h, c.gw, c.gh, points, c.xyz.size() / 3);
}

// ---- a realistic batch, checked against the host emulation --------------------------------------

// Eight slots of mixed frame sizes (720p, 1080p, odd sizes, portrait) and strides 1..4, depth-anything
// sizes, a depth field with steps (edges) and invalid cells, half-representable so the FP16 and
// FP32 paths must agree bitwise; expected values from emulation.h (the host build of the header).
Case realistic_case() {
    const int sizes[8][2] = {{640, 480}, {1280, 720}, {1920, 1080}, {321, 241}, {480, 640}, {2, 2}, {800, 600}, {97, 61}};
    Case c;
    c.name = "realistic_8";
    c.gw = 504;
    c.gh = 378;
    const float mean[3] = {0.485f, 0.456f, 0.406f}, stdv[3] = {0.229f, 0.224f, 0.225f};
    c.norm = DcNorm{};
    c.norm.out_w = 504;
    c.norm.out_h = 378;
    for (int ch = 0; ch < 3; ch++) {
        c.norm.scale[ch] = 1.0f / (255.0f * stdv[ch]);
        c.norm.offset[ch] = -mean[ch] / stdv[ch];
        c.norm.channel_slot[ch] = ch;
    }
    uint32_t points = 0;
    for (int b = 0; b < 8; b++) {
        const int fw = sizes[b][0], fh = sizes[b][1], cw = (fw + 1) / 2, chh = (fh + 1) / 2;
        DcSlot s{};
        s.y_off = (uint32_t)((c.frames.size() + 255) / 256 * 256);
        s.u_off = s.y_off + (uint32_t)(fw * fh);
        s.v_off = s.u_off + (uint32_t)(cw * chh);
        c.frames.resize(s.v_off + (size_t)cw * chh);
        for (size_t i = s.y_off; i < c.frames.size(); i++) c.frames[i] = (uint8_t)((i * 2654435761u >> 13) + b * 37);
        s.width = fw;
        s.height = fh;
        s.chroma_width = cw;
        s.stride = 1 + b % 4;
        s.samples_w = (c.gw + s.stride - 1) / s.stride;
        s.samples_h = (c.gh + s.stride - 1) / s.stride;
        s.point_off = points;
        points += (uint32_t)(s.samples_w * s.samples_h);
        DcIntrinsics in = dc_intrinsics(c.gw, c.gh, fw, fh, 50.0f + 5 * b);
        s.fx = in.fx;
        s.fy = in.fy;
        s.cx = in.cx;
        s.cy = in.cy;
        s.near_m = 0.3f + 0.1f * b;
        s.far_m = 4.0f + b;
        s.edge = b == 5 ? 0.0f : 0.05f * (1 + b % 3);
        c.slots.push_back(s);
    }
    std::vector<float> depth((size_t)8 * c.gw * c.gh);
    for (int b = 0; b < 8; b++)
        for (int y = 0; y < c.gh; y++)
            for (int x = 0; x < c.gw; x++) {
                float d = 1.0f + 0.5f * std::sin(x * 0.02f + b) * std::cos(y * 0.015f) + ((x / 40 + y / 30) % 3) * 0.4f;
                size_t i = ((size_t)b * c.gh + y) * c.gw + x;
                if ((x * 7 + y * 13 + b) % 997 == 0) d = NAN;
                if ((x * 11 + y * 3 + b) % 1999 == 0) d = INFINITY;
                depth[i] = d;
            }
    c.depth = from_half_bits(to_half_bits(depth));  // half-representable: the FP16 path sees the same values
    emulation::preprocess(c.frames.data(), c.slots, c.norm, c.tensor);
    for (int b = 0; b < 8; b++) {
        const float* d = c.depth.data() + (size_t)b * c.gw * c.gh;
        float lo, hi;
        emulation::depth_range(d, c.gw, c.gh, lo, hi);
        std::vector<float> xyz;
        std::vector<uint8_t> rgb;
        c.counts.push_back(emulation::unproject(c.frames.data(), c.slots[b], d, c.gw, c.gh, lo, hi, xyz, rgb));
        c.xyz.insert(c.xyz.end(), xyz.begin(), xyz.end());
        c.rgb.insert(c.rgb.end(), rgb.begin(), rgb.end());
    }
    return c;
}

// ---- --bench: one realistic batch, every stage timed with events -----------------------------

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// n 640x480 I420 frames -> depth-anything-v2 at 378x504 (HxW), FP16 in and out, stride 3.
void bench(const Kernels& k) {
    const int fw = 640, fh = 480, out_w = 504, out_h = 378, stride = 3, reps = 200;
    const int cw = (fw + 1) / 2, ch = (fh + 1) / 2;
    const size_t frame_bytes = (size_t)fw * fh + 2u * cw * ch;
    const size_t frame_pitch = (frame_bytes + 255) / 256 * 256;  // BatchLayout aligns slots to 256 bytes
    const int sw = ceil_div(out_w, stride), sh = ceil_div(out_h, stride);
    const float mean[3] = {0.485f, 0.456f, 0.406f}, stdv[3] = {0.229f, 0.224f, 0.225f};
    DcNorm nm{};
    nm.out_w = out_w;
    nm.out_h = out_h;
    for (int c = 0; c < 3; c++) {
        nm.scale[c] = 1.0f / (255.0f * stdv[c]);
        nm.offset[c] = -mean[c] / stdv[c];
        nm.channel_slot[c] = c;
    }
    std::printf("\nbench: n x %dx%d I420 -> %dx%d FP16 NCHW; depth FP16 %dx%d, stride %d (%d samples a slot); "
                "median of %d, ms\n",
                fw, fh, out_w, out_h, out_w, out_h, stride, sw * sh, reps);
    std::printf("%3s %9s %9s %9s %9s %9s %9s %10s %9s %9s\n", "n", "upload", "preproc", "range", "sample", "compact",
                "dl-worst", "dl-kept", "kept", "all-gpu");
    CUstream s;
    CU(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
    CUevent ev[8];
    for (CUevent& e : ev) CU(cuEventCreate(&e, CU_EVENT_DEFAULT));
    for (int n : {1, 2, 4, 8}) {
        std::vector<DcSlot> slots(n);
        uint8_t* host_frames;
        CU(cuMemHostAlloc((void**)&host_frames, frame_pitch * n, 0));
        for (int b = 0; b < n; b++) {
            DcSlot& sl = slots[b];
            sl = DcSlot{};
            sl.y_off = (uint32_t)(b * frame_pitch);
            sl.u_off = sl.y_off + fw * fh;
            sl.v_off = sl.u_off + cw * ch;
            sl.width = fw;
            sl.height = fh;
            sl.chroma_width = cw;
            sl.stride = stride;
            sl.samples_w = sw;
            sl.samples_h = sh;
            sl.point_off = (uint32_t)(b * sw * sh);
            DcIntrinsics in = dc_intrinsics(out_w, out_h, fw, fh, 60.0f);
            sl.fx = in.fx;
            sl.fy = in.fy;
            sl.cx = in.cx;
            sl.cy = in.cy;
            sl.near_m = 0.4f;
            sl.far_m = 4.0f;
            sl.edge = 0.1f;
            for (size_t i = 0; i < frame_bytes; i++) host_frames[sl.y_off + i] = (uint8_t)((i * 7 + b * 13) & 0xff);
        }
        // A smooth inverse-depth field (most samples kept), as half.
        std::vector<float> depth((size_t)n * out_w * out_h);
        for (int b = 0; b < n; b++)
            for (int y = 0; y < out_h; y++)
                for (int x = 0; x < out_w; x++)
                    depth[((size_t)b * out_h + y) * out_w + x] =
                        1.0f + 0.5f * std::sin(x * 0.01f + b) + 0.3f * (float)y / out_h;
        std::vector<uint16_t> hdepth = to_half_bits(depth);
        const size_t total = (size_t)n * sw * sh;
        Buf frames(frame_pitch * n), dslots(sizeof(DcSlot) * n), norm(sizeof(DcNorm)),
            input(2u * n * 3 * out_w * out_h), dep(2 * hdepth.size());
        PointBuffers pb(n, total, sw * sh);
        CU(cuMemcpyHtoD(dslots.p, slots.data(), dslots.bytes));
        CU(cuMemcpyHtoD(norm.p, &nm, sizeof nm));
        dep.put(hdepth);
        float* host_xyz;
        uint8_t* host_rgb;
        int* host_counts;
        CU(cuMemHostAlloc((void**)&host_xyz, 12 * total, 0));
        CU(cuMemHostAlloc((void**)&host_rgb, 3 * total, 0));
        CU(cuMemHostAlloc((void**)&host_counts, 4u * n, 0));
        std::vector<double> t[9];
        for (int r = 0; r < reps + 10; r++) {
            CU(cuEventRecord(ev[0], s));
            CU(cuMemcpyHtoDAsync(frames.p, host_frames, frame_pitch * n, s));
            CU(cuEventRecord(ev[1], s));
            preprocess(k, true, frames.p, dslots.p, norm.p, input.p, n, nm, s);
            CU(cuEventRecord(ev[2], s));
            depth_range(k, true, dep.p, out_w, out_h, pb, n, s);
            CU(cuEventRecord(ev[3], s));
            sample(k, true, dep.p, out_w, out_h, dslots.p, pb, n, s);
            CU(cuEventRecord(ev[4], s));
            compact(k, frames.p, dslots.p, out_w, out_h, pb, n, s);
            CU(cuEventRecord(ev[5], s));
            CU(cuMemcpyDtoHAsync(host_counts, pb.counts.p, 4u * n, s));
            CU(cuMemcpyDtoHAsync(host_xyz, pb.xyz.p, 12 * total, s));
            CU(cuMemcpyDtoHAsync(host_rgb, pb.rgb.p, 3 * total, s));
            CU(cuEventRecord(ev[6], s));
            CU(cuStreamSynchronize(s));
            if (r < 10) continue;  // warm-up
            float ms;
            for (int i = 0; i < 6; i++) {
                CU(cuEventElapsedTime(&ms, ev[i], ev[i + 1]));
                t[i].push_back(ms);
            }
        }
        // Kept-only download timed on its own, same way.
        for (int r = 0; r < reps; r++) {
            CU(cuEventRecord(ev[0], s));
            CU(cuMemcpyDtoHAsync(host_counts, pb.counts.p, 4u * n, s));
            CU(cuEventRecord(ev[1], s));
            CU(cuStreamSynchronize(s));
            for (int b = 0; b < n; b++) {
                size_t at = slots[b].point_off;
                CU(cuMemcpyDtoHAsync(host_xyz + 3 * at, pb.xyz.p + 12 * at, 12u * host_counts[b], s));
                CU(cuMemcpyDtoHAsync(host_rgb + 3 * at, pb.rgb.p + 3 * at, 3u * host_counts[b], s));
            }
            CU(cuEventRecord(ev[2], s));
            CU(cuStreamSynchronize(s));
            float a, b2;
            CU(cuEventElapsedTime(&a, ev[0], ev[1]));
            CU(cuEventElapsedTime(&b2, ev[1], ev[2]));
            t[6].push_back(a + b2);
        }
        long kept = 0;
        for (int b = 0; b < n; b++) kept += host_counts[b];
        double gpu = 0;
        for (int i = 0; i < 5; i++) gpu += median(t[i]);
        std::printf("%3d %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %10.4f %9ld %9.4f\n", n, median(t[0]), median(t[1]),
                    median(t[2]), median(t[3]), median(t[4]), median(t[5]), median(t[6]), kept, gpu);
        cuMemFreeHost(host_frames);
        cuMemFreeHost(host_xyz);
        cuMemFreeHost(host_rgb);
        cuMemFreeHost(host_counts);
    }
    std::printf("(upload: pinned H2D of the frames; all-gpu: upload + the four kernels, no inference; dl-worst: every\n"
                " sample's xyz+rgb as TensorRtPipeline copies today; dl-kept: counts, then kept points per slot)\n");
    for (CUevent& e : ev) cuEventDestroy(e);
    cuStreamDestroy(s);
}

// ---- --spin: host CPU time spent waiting on an event --------------------------------------------

__global__ void dc_test_sleep(long long ns) {
    long long start = clock64();
    // ~ns at the SM clock; precision does not matter, only that the GPU is busy for a while.
    while (clock64() - start < ns) {
        __nanosleep(1000);
    }
}

double thread_cpu_ms() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double wall_ms() {
    timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

void spin() {
    int clock_khz = 0;
    CUdevice dev;
    CU(cuCtxGetDevice(&dev));
    CU(cuDeviceGetAttribute(&clock_khz, CU_DEVICE_ATTRIBUTE_CLOCK_RATE, dev));
    const long long cycles = (long long)clock_khz * 20;  // ~20 ms
    std::printf("\nspin: host thread CPU time while cuEventSynchronize waits on ~20 ms of GPU work (10 waits)\n");
    for (unsigned flags : {(unsigned)CU_EVENT_DEFAULT, (unsigned)CU_EVENT_BLOCKING_SYNC}) {
        CUevent e;
        CU(cuEventCreate(&e, flags));
        double cpu = 0, wall = 0;
        for (int i = 0; i < 10; i++) {
            dc_test_sleep<<<1, 1>>>(cycles);
            CU(cuEventRecord(e, 0));
            double c0 = thread_cpu_ms(), w0 = wall_ms();
            CU(cuEventSynchronize(e));
            cpu += thread_cpu_ms() - c0;
            wall += wall_ms() - w0;
        }
        std::printf("  %-26s waited %7.1f ms wall, used %7.1f ms CPU (%.0f %% of a core)\n",
                    flags ? "CU_EVENT_BLOCKING_SYNC" : "CU_EVENT_DEFAULT", wall, cpu, 100.0 * cpu / wall);
        cuEventDestroy(e);
    }
    // Stream synchronize follows the context's scheduling flags (CudaDriver sets BLOCKING_SYNC).
    unsigned ctx_flags = 0;
    CU(cuCtxGetFlags(&ctx_flags));
    CUstream st;
    CU(cuStreamCreate(&st, CU_STREAM_NON_BLOCKING));
    double cpu = 0, wall = 0;
    for (int i = 0; i < 10; i++) {
        dc_test_sleep<<<1, 1, 0, st>>>(cycles);
        double c0 = thread_cpu_ms(), w0 = wall_ms();
        CU(cuStreamSynchronize(st));
        cpu += thread_cpu_ms() - c0;
        wall += wall_ms() - w0;
    }
    std::printf("  cuStreamSynchronize, ctx %s waited %7.1f ms wall, used %7.1f ms CPU (%.0f %% of a core)\n",
                (ctx_flags & CU_CTX_SCHED_MASK) == CU_CTX_SCHED_BLOCKING_SYNC ? "BLOCKING_SYNC" : "default      ", wall,
                cpu, 100.0 * cpu / wall);
    cuStreamDestroy(st);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: device_golden FATBIN GOLDEN_DIR [--bench] [--spin] [--ctx-blocking]\n");
        return 2;
    }
    bool want_bench = false, want_spin = false, ctx_blocking = false;
    for (int i = 3; i < argc; i++) {
        want_bench |= std::string(argv[i]) == "--bench";
        want_spin |= std::string(argv[i]) == "--spin";
        ctx_blocking |= std::string(argv[i]) == "--ctx-blocking";
    }
    std::ifstream in(argv[1], std::ios::binary);
    std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (image.empty()) {
        std::fprintf(stderr, "cannot read fatbin %s\n", argv[1]);
        return 2;
    }
    // As CudaDriver: device 0's primary context (the one TensorRT uses).
    CU(cuInit(0));
    CUdevice dev;
    CU(cuDeviceGet(&dev, 0));
    char name[256];
    CU(cuDeviceGetName(name, sizeof name, dev));
    int major = 0, minor = 0, driver = 0;
    CU(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
    CU(cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev));
    CU(cuDriverGetVersion(&driver));
    if (ctx_blocking) {  // as CudaDriver does before it retains the primary context
        CU(cuDevicePrimaryCtxSetFlags(dev, CU_CTX_SCHED_BLOCKING_SYNC));
    }
    CUcontext ctx;
    CU(cuDevicePrimaryCtxRetain(&ctx, dev));
    CU(cuCtxSetCurrent(ctx));
    std::printf("device: %s, sm_%d%d, driver API %d.%d; fatbin %zu bytes\n", name, major, minor, driver / 1000,
                driver % 1000 / 10, image.size());
    Kernels k(image);

    Checks ck;
    const std::vector<std::string> files = list_files(argv[2]);
    for (const std::string& f : files) {
        Golden g = read_golden(std::string(argv[2]) + "/" + f);
        check_case(k, load_case(f.substr(0, f.size() - 4), g), ck);
    }
    check_case(k, realistic_case(), ck);  // realistic sizes vs the host emulation of the same header
    std::printf("device golden: %zu golden files + 1 realistic batch, worst float difference %.3g (tolerance %g)\n",
                files.size(), ck.worst, (double)kTolerance);
    std::printf("%d passed, %d failed\n", ck.passed, ck.failed);
    if (want_bench) bench(k);
    if (want_spin) spin();
    cuModuleUnload(k.module);
    cuDevicePrimaryCtxRelease(dev);
    return ck.failed == 0 && !files.empty() ? 0 : 1;
}
