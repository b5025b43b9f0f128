// Golden-vector I/O and checks shared by the host parity test (host_parity.cpp, g++) and the
// device runner (device_golden.cu, nvcc): the DCG1 reader (format: kernels/golden/README.md),
// tolerance checks, and DcSlot/DcNorm decoding. Header-only, host code only.
#ifndef DEPTHCAST_GOLDEN_IO_H
#define DEPTHCAST_GOLDEN_IO_H

#include "depthcast_math.cuh"

#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace golden {

inline const float kTolerance = 1e-3f;

struct Record {
    char type = 0;
    std::vector<uint8_t> bytes;
    std::vector<int32_t> ints;
    std::vector<float> floats;
};

struct Golden {
    std::map<std::string, Record> records;

    const Record& get(const std::string& name) const {
        auto it = records.find(name);
        if (it == records.end()) {
            throw std::runtime_error("golden file has no record '" + name + "'");
        }
        return it->second;
    }
    const std::vector<uint8_t>& bytes(const std::string& n) const { return get(n).bytes; }
    const std::vector<int32_t>& ints(const std::string& n) const { return get(n).ints; }
    const std::vector<float>& floats(const std::string& n) const { return get(n).floats; }
    int integer(const std::string& n) const { return ints(n).at(0); }
    float real(const std::string& n) const { return floats(n).at(0); }
};

inline uint32_t le32(const uint8_t* p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

inline Golden read_golden(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (d.size() < 8 || std::memcmp(d.data(), "DCG1", 4) != 0) {
        throw std::runtime_error(path + ": not a DCG1 golden file");
    }
    Golden g;
    size_t at = 4;
    uint32_t n = le32(&d[at]);
    at += 4;
    for (uint32_t r = 0; r < n; r++) {
        size_t len = d.at(at++);
        std::string name(reinterpret_cast<const char*>(&d.at(at)), len);
        at += len;
        Record rec;
        rec.type = (char)d.at(at++);
        uint32_t count = le32(&d.at(at));
        at += 4;
        size_t width = rec.type == 'b' ? 1 : 4;
        if (at + (size_t)count * width > d.size()) {
            throw std::runtime_error(path + ": truncated record " + name);
        }
        for (uint32_t i = 0; i < count; i++) {
            if (rec.type == 'b') {
                rec.bytes.push_back(d[at + i]);
            } else if (rec.type == 'i') {
                rec.ints.push_back((int32_t)le32(&d[at + 4 * i]));
            } else if (rec.type == 'f') {
                uint32_t bits = le32(&d[at + 4 * i]);
                float f;
                std::memcpy(&f, &bits, 4);
                rec.floats.push_back(f);
            } else {
                throw std::runtime_error(path + ": bad record type");
            }
        }
        at += (size_t)count * width;
        g.records[name] = rec;
    }
    return g;
}

struct Checks {
    int passed = 0;
    int failed = 0;
    double worst = 0.0;

    void expect(bool ok, const std::string& what) {
        if (ok) {
            passed++;
        } else {
            failed++;
            std::printf("FAIL %s\n", what.c_str());
        }
    }

    void close(const std::vector<float>& expected, const std::vector<float>& actual, const std::string& what) {
        if (expected.size() != actual.size()) {
            expect(false, what + ": length " + std::to_string(actual.size()) + ", expected " +
                              std::to_string(expected.size()));
            return;
        }
        size_t bad = 0;
        size_t first = 0;
        for (size_t i = 0; i < expected.size(); i++) {
            float e = expected[i];
            float a = actual[i];
            bool ok = std::isnan(e) ? std::isnan(a) : (e == a || std::fabs(e - a) <= kTolerance);
            if (!std::isnan(e) && !std::isnan(a)) {
                worst = std::max(worst, (double)std::fabs(e - a));
            }
            if (!ok && bad++ == 0) {
                first = i;
            }
        }
        char msg[256];
        if (bad) {
            std::snprintf(msg, sizeof msg, "%s: %zu of %zu values off by more than %g (first [%zu]: %.7g vs %.7g)",
                          what.c_str(), bad, expected.size(), (double)kTolerance, first, (double)expected[first],
                          (double)actual[first]);
        }
        expect(bad == 0, bad ? msg : what);
    }

    void same(const std::vector<uint8_t>& expected, const std::vector<uint8_t>& actual, const std::string& what) {
        size_t bad = expected.size() == actual.size() ? 0 : 1;
        for (size_t i = 0; bad == 0 && i < expected.size(); i++) {
            bad += expected[i] != actual[i];
        }
        expect(bad == 0, what + (bad ? ": differs" : ""));
    }
};

inline DcSlot slot_from(const uint8_t* p) {
    DcSlot s;
    std::memcpy(&s, p, sizeof s);
    return s;
}

inline DcNorm norm_from(const std::vector<uint8_t>& b) {
    if (b.size() != sizeof(DcNorm)) {
        throw std::runtime_error("norm record is not sizeof(DcNorm)");
    }
    DcNorm n;
    std::memcpy(&n, b.data(), sizeof n);
    return n;
}

// The *.dcg files of dir, sorted by name.
inline std::vector<std::string> list_files(const std::string& dir) {
    std::vector<std::string> files;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            std::string f = e->d_name;
            if (f.size() > 4 && f.compare(f.size() - 4, 4, ".dcg") == 0) {
                files.push_back(f);
            }
        }
        closedir(d);
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace golden

#endif  // DEPTHCAST_GOLDEN_IO_H
