// Host parity test: runs kernels/depthcast_math.cuh - the very code the CUDA kernels compile -
// with g++ over the golden vectors in kernels/golden (written by the Java CPU path, see
// server/src/test/java/dev/depthcast/process/GoldenVectorsTest.java) and checks the results
// agree within 1e-3 (floats), exactly (point counts, colours, struct layout).
//
// It emulates each kernel's thread structure on the host (emulation.h): preprocess per output
// pixel, the depth range in the kernel's parts, sample + keep flag per sample, and the compaction's
// tile counts and in-tile ranks, with the same 256-sample tiles as the device.
//
//   g++ -std=c++17 -O2 -Wall -Wextra -Werror -ffp-contract=off -I kernels
//       kernels/test/host_parity.cpp -o kernels/build/host_parity
//   kernels/build/host_parity kernels/golden
// (scripts/test-kernels.sh does exactly this.)
#include "depthcast_math.cuh"
#include "emulation.h"
#include "golden_io.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace golden;
using namespace emulation;

void check_single(const std::string& name, const Golden& g, Checks& ck) {
    const int fw = g.integer("frame_w");
    const int fh = g.integer("frame_h");
    const int gw = g.integer("grid_w");
    const int gh = g.integer("grid_h");
    // The frame buffer of a one-slot batch: Y, U, V back to back (as BatchLayout stages it).
    std::vector<uint8_t> frames(g.bytes("y"));
    frames.insert(frames.end(), g.bytes("u").begin(), g.bytes("u").end());
    frames.insert(frames.end(), g.bytes("v").begin(), g.bytes("v").end());
    const DcSlot s = slot_from(g.bytes("slot").data());
    const DcNorm n = norm_from(g.bytes("norm"));

    // Layout: the Java-encoded descriptors decode to the case's own parameters.
    const auto& intr = g.floats("intr");
    ck.expect(s.y_off == 0 && s.u_off == (uint32_t)(fw * fh) && s.width == fw && s.height == fh &&
                  s.chroma_width == (fw + 1) / 2 && s.stride == g.integer("stride") &&
                  s.samples_w == (gw + s.stride - 1) / s.stride && s.samples_h == (gh + s.stride - 1) / s.stride &&
                  s.point_off == 0 && s.fx == intr[0] && s.fy == intr[1] && s.cx == intr[2] && s.cy == intr[3] &&
                  s.near_m == g.real("near") && s.far_m == g.real("far") && s.edge == g.real("edge"),
              name + ": DcSlot decodes to the case's parameters");
    ck.expect(n.out_w == g.integer("in_w") && n.out_h == g.integer("in_h") &&
                  n.channel_slot[0] == (g.integer("bgr") ? 2 : 0),
              name + ": DcNorm decodes to the preset");

    std::vector<float> tensor;
    preprocess(frames.data(), {s}, n, tensor);
    ck.close(g.floats("tensor"), tensor, name + ": preprocess tensor");

    const float* depth = g.floats("depth").data();
    float lo, hi;
    depth_range(depth, gw, gh, lo, hi);
    ck.close(g.floats("range"), {lo, hi}, name + ": depth range");

    DcIntrinsics k = dc_intrinsics(gw, gh, fw, fh, g.real("hfov"));
    ck.close(intr, {k.fx, k.fy, k.cx, k.cy}, name + ": intrinsics");

    std::vector<float> xyz;
    std::vector<uint8_t> rgb;
    int count = unproject(frames.data(), s, depth, gw, gh, lo, hi, xyz, rgb);
    ck.expect(count == g.integer("count"), name + ": point count " + std::to_string(count) + " (Java " +
                                               std::to_string(g.integer("count")) + ")");
    ck.close(g.floats("xyz"), xyz, name + ": xyz");
    ck.same(g.bytes("rgb"), rgb, name + ": rgb");
    std::printf("  %-16s frame %dx%d -> %dx%d tensor, grid %dx%d stride %d: %d points\n", name.c_str(), fw, fh,
                n.out_w, n.out_h, gw, gh, s.stride, count);
}

void check_batch(const std::string& name, const Golden& g, Checks& ck) {
    const int n = g.integer("n");
    const int gw = g.integer("grid_w");
    const int gh = g.integer("grid_h");
    const auto& frames = g.bytes("frames");
    const auto& table = g.bytes("slots");
    ck.expect(table.size() == (size_t)n * sizeof(DcSlot), name + ": slot table is n * sizeof(DcSlot)");
    std::vector<DcSlot> slots;
    uint32_t points = 0;
    for (int b = 0; b < n; b++) {
        slots.push_back(slot_from(&table[(size_t)b * sizeof(DcSlot)]));
        const DcSlot& s = slots.back();
        ck.expect(s.point_off == points && s.y_off % 256 == 0 && s.width == g.ints("frame_w")[b] &&
                      s.v_off + (uint32_t)(s.chroma_width * ((s.height + 1) / 2)) <= frames.size(),
                  name + ": slot " + std::to_string(b) + " offsets");
        points += (uint32_t)(s.samples_w * s.samples_h);
    }
    const DcNorm norm = norm_from(g.bytes("norm"));
    std::vector<float> tensor;
    preprocess(frames.data(), slots, norm, tensor);
    ck.close(g.floats("tensor"), tensor, name + ": preprocess tensor (all slots)");

    std::vector<float> all_xyz;
    std::vector<uint8_t> all_rgb;
    const auto& depth = g.floats("depth");
    for (int b = 0; b < n; b++) {
        const float* d = depth.data() + (size_t)b * gw * gh;
        float lo, hi;
        depth_range(d, gw, gh, lo, hi);
        std::vector<float> xyz;
        std::vector<uint8_t> rgb;
        int count = unproject(frames.data(), slots[b], d, gw, gh, lo, hi, xyz, rgb);
        ck.expect(count == g.ints("counts")[b], name + ": count of slot " + std::to_string(b));
        all_xyz.insert(all_xyz.end(), xyz.begin(), xyz.end());
        all_rgb.insert(all_rgb.end(), rgb.begin(), rgb.end());
        std::printf("  %-16s slot %d: frame %dx%d stride %d edge %.2f: %d points\n", name.c_str(), b, slots[b].width,
                    slots[b].height, slots[b].stride, (double)slots[b].edge, count);
    }
    ck.close(g.floats("xyz"), all_xyz, name + ": xyz (all slots)");
    ck.same(g.bytes("rgb"), all_rgb, name + ": rgb (all slots)");
}

// Unit checks of single functions at known values (independent of the golden files).
void check_units(Checks& ck) {
    DcRgb white = dc_yuv_to_rgb(235, 128, 128);
    ck.expect(std::fabs(white.r - 255.0f) < 0.01f && std::fabs(white.g - 255.0f) < 0.01f, "units: Y=235 is white");
    DcRgb black = dc_yuv_to_rgb(16, 128, 128);
    ck.expect(black.r == 0.0f && black.g == 0.0f && black.b == 0.0f, "units: Y=16 is black");
    ck.expect(dc_yuv_to_rgb(255, 255, 255).r == 255.0f && dc_yuv_to_rgb(255, 0, 0).g == 255.0f &&
                  dc_yuv_to_rgb(0, 128, 128).g == 0.0f && dc_yuv_to_rgb(128, 0, 128).b == 0.0f,
              "units: clamps to [0, 255]");
    ck.expect(dc_to_byte(127.49f) == 127 && dc_to_byte(127.5f) == 128 && dc_to_byte(255.0f) == 255,
              "units: colour rounding");
    ck.expect(dc_source_coordinate(0, 640, 504) == 0.0f || dc_source_coordinate(0, 640, 504) > 0.0f,
              "units: source coordinate clamps at 0");
    ck.expect(dc_source_coordinate(503, 640, 504) <= 639.0f, "units: source coordinate clamps at src-1");
    ck.expect(dc_source_coordinate(0, 2, 8) == 0.0f, "units: upscale left edge clamps");
    ck.expect(std::fabs(dc_metres(1.0f, 0.0f, 1.0f, 0.4f, 4.0f) - 0.4f) < 1e-6f &&
                  std::fabs(dc_metres(0.0f, 0.0f, 1.0f, 0.4f, 4.0f) - 4.0f) < 1e-5f,
              "units: nearest -> near, farthest -> far");
    float flat = dc_metres(3.0f, 3.0f, 3.0f, 0.4f, 4.0f);
    ck.expect(std::fabs(1.0f / flat - (0.25f + 0.5f * (2.5f - 0.25f))) < 1e-5f, "units: flat grid maps to t=0.5");
    ck.expect(std::isnan(dc_metres(NAN, 0, 1, 0.4f, 4)) && std::isnan(dc_metres(INFINITY, 0, 1, 0.4f, 4)),
              "units: non-finite depth is invalid");
    ck.expect(dc_jump(1.0f, 1.2f, 0.1f, 0.0f) && !dc_jump(1.0f, 1.05f, 0.1f, 0.0f) && !dc_jump(1.0f, NAN, 0.1f, 0.0f),
              "units: edge jump test");
    ck.expect(!dc_jump(1.0f, 1.2f, 0.1f, 0.2f) && dc_jump(1.0f, 1.2f, 0.1f, 0.1f),
              "units: a jump within the noise (noise_k * z_max^2) is no edge");
    ck.expect(std::fabs(dc_stable_metres(0.8f, 0.2f, 0.8f, 0.4f, 4.0f) - 0.4f) < 1e-6f &&
                  std::fabs(dc_stable_metres(0.2f, 0.2f, 0.8f, 0.4f, 4.0f) - 4.0f) < 1e-5f,
              "units: stabilised lo -> far, hi -> near");
    ck.expect(std::fabs(dc_stable_metres(100.0f, 0.2f, 0.8f, 0.4f, 4.0f) - 0.1f) < 1e-6f &&
                  std::fabs(dc_stable_metres(-100.0f, 0.2f, 0.8f, 0.4f, 4.0f) - 16.0f) < 1e-4f,
              "units: stabilised extrapolation clamps to [near/4, 4 far]");
    ck.expect(dc_metric_metres(2.5f) == 2.5f && std::isnan(dc_metric_metres(0.0f)) &&
                  std::isnan(dc_metric_metres(-1.0f)) && std::isnan(dc_metric_metres(INFINITY)),
              "units: metric depth is kept where finite and positive");
    DcSlot s{};
    s.cx = 4.0f;
    s.cy = 3.0f;
    s.fx = 2.0f;
    s.fy = 2.0f;
    DcXyz p = dc_unproject(8, 0, 2.0f, s);  // right of and above the centre, 2 m away
    ck.expect(p.x > 0 && p.y > 0 && p.z == -2.0f, "units: three.js camera frame (x right, y up, -z forward)");
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : "kernels/golden";
    Checks ck;
    check_units(ck);
    const std::vector<std::string> files = list_files(dir);
    if (files.empty()) {
        std::printf("no golden vectors (*.dcg) in %s\n", dir.c_str());
        return 1;
    }
    for (const std::string& f : files) {
        try {
            Golden g = read_golden(dir + "/" + f);
            std::string name = f.substr(0, f.size() - 4);
            if (g.records.count("n")) {
                check_batch(name, g, ck);
            } else {
                check_single(name, g, ck);
            }
        } catch (const std::exception& e) {
            ck.expect(false, f + ": " + e.what());
        }
    }
    std::printf("host parity: %zu golden files, worst float difference %.3g (tolerance %g)\n", files.size(), ck.worst,
                (double)kTolerance);
    std::printf("%d passed, %d failed\n", ck.passed, ck.failed);
    return ck.failed == 0 ? 0 : 1;
}
