// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The ONNX graph the exporter writes (core/export/OnnxExport.cpp): values with their ranks,
// node attributes, initializers, the operators FuseLab's blocks need, and whether OpenCV's
// dnn can run what was written. Protobuf wire format from core/formats/Protobuf.h.
#include "core/model/Lowering.h"

#include <torch/types.h>
#include <torch/expanding_array.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace fuselab::onnx {

// ONNX TensorProto.DataType
inline constexpr int kFloat = 1, kInt32 = 6, kInt64 = 7, kBool = 9;
inline constexpr std::int64_t kEnd = std::numeric_limits<std::int64_t>::max();

// A value in the graph and its rank (the exporter knows every rank; shapes past the batch
// are fixed by the operators).
struct V {
    std::string n;
    int rank = 0;
};

struct Attr {
    std::string name;
    int type = 0; // AttributeProto.AttributeType
    float f = 0;
    std::int64_t i = 0;
    std::string s;
    std::vector<std::int64_t> ints;

    std::string encode() const;
};
inline Attr aInt(const std::string &n, std::int64_t v) { return {n, 2, 0, v, {}, {}}; }
inline Attr aFloat(const std::string &n, float v) { return {n, 1, v, 0, {}, {}}; }
inline Attr aStr(const std::string &n, const std::string &v) { return {n, 3, 0, 0, v, {}}; }
inline Attr aInts(const std::string &n, std::vector<std::int64_t> v) { return {n, 7, 0, 0, {}, std::move(v)}; }

template <std::size_t D>
std::vector<std::int64_t> vec(const torch::ExpandingArray<D> &a)
{
    return std::vector<std::int64_t>(a->begin(), a->end());
}

std::string tensorProto(const std::string &name, const torch::Tensor &t);

// ValueInfoProto of a tensor; dims < 0 are the dynamic batch.
std::string valueInfo(const std::string &name, int elemType, const std::vector<std::int64_t> &dims, const std::string &doc = {});

// A handle of the tensor (by value: named_parameters() returns a temporary dictionary, and
// a reference into it dangled; found by ASan on test_onnx).
inline torch::Tensor param(const torch::nn::Module &m, const std::string &name) { return lowering::ownTensor(m, name); }

// The graph being written: nodes and initializers, and the operators FuseLab's blocks need.
class Builder {
public:
    std::vector<std::string> opN(const std::string &type, const std::vector<std::string> &inputs, const std::vector<Attr> &attrs, int outputs);

    // OpenCV's dnn (4.6): what it was checked to run in FuseLab's graphs (tests/test_onnx),
    // decided from the operators written: the operators of image classifiers, and no
    // elementwise operator between two runtime tensors one of which broadcasts (its importer
    // multiplies, divides and adds runtime tensors only of the same shape).
    void declareInput(const std::string &name, bool broadcasts)
    {
        m_runtime.insert(name);
        if (broadcasts)
            m_narrow.insert(name);
    }
    bool runtime(const std::string &name) const { return m_runtime.count(name) > 0; }
    const std::string &openCvObstacle() const { return m_openCvObstacle; }
    V op(const std::string &type, const std::vector<std::string> &inputs, int rank, const std::vector<Attr> &attrs = {})
    {
        return {opN(type, inputs, attrs, 1)[0], rank};
    }
    void rawNode(const std::string &type, const std::vector<std::string> &inputs, const std::string &output);

    // A weight (float32 unless integer), named `name` or, if taken, name with a suffix.
    std::string init(const std::string &name, const torch::Tensor &t);
    V weight(const std::string &name, const torch::Tensor &t) { return {init(name, t), static_cast<int>(t.dim())}; }
    std::string i64(const std::vector<std::int64_t> &v);
    V f32(float v);

    // elementwise (numpy broadcasting)
    V bin(const char *type, const V &a, const V &b) { return op(type, {a.n, b.n}, std::max(a.rank, b.rank)); }
    V add(const V &a, const V &b) { return bin("Add", a, b); }
    V sub(const V &a, const V &b) { return bin("Sub", a, b); }
    V mul(const V &a, const V &b) { return bin("Mul", a, b); }
    V div(const V &a, const V &b) { return bin("Div", a, b); }
    // a / b where b broadcasts, as a · (1 / b) (within a rounding of a / b): one pattern
    // less for runtimes that divide only same-shaped tensors
    V divBy(const V &a, const V &b) { return mul(a, un("Reciprocal", b)); }
    V un(const char *type, const V &a) { return op(type, {a.n}, a.rank); }
    V reshape(const V &x, const std::vector<std::int64_t> &shape) { return op("Reshape", {x.n, i64(shape)}, static_cast<int>(shape.size())); }
    V transpose(const V &x, const std::vector<std::int64_t> &perm) { return op("Transpose", {x.n}, x.rank, {aInts("perm", perm)}); }
    V cast(const V &x, int to) { return op("Cast", {x.n}, x.rank, {aInt("to", to)}); }
    V greater(const V &x, float v) { return bin("Greater", x, f32(v)); }
    V where(const V &c, const V &a, const V &b) { return op("Where", {c.n, a.n, b.n}, std::max({c.rank, a.rank, b.rank})); }
    V softmax(const V &x, std::int64_t axis) { return op("Softmax", {x.n}, x.rank, {aInt("axis", axis)}); }
    V reduce(const char *type, const V &x, const std::vector<std::int64_t> &axes, bool keep);
    V slice(const V &x, std::int64_t axis, std::int64_t start, std::int64_t end)
    {
        return op("Slice", {x.n, i64({start}), i64({end}), i64({axis})}, x.rank);
    }
    V concat(const std::vector<V> &xs, std::int64_t axis);
    // [B, ...] items stacked along a new axis 1
    V stack(const std::vector<V> &xs);
    // a [B] mask as a column [B, 1] (to scale a [B, D] batch)
    V column(const V &mask) { return reshape(mask, {-1, 1}); }
    // ones [B, 1] in x's batch (x of rank >= 2, finite)
    V onesLike(const V &x);

    std::string graph() const { return m_graph; }
    std::size_t weightBytes() const { return m_bytes; }

private:
    void track(const std::string &type, const std::vector<std::string> &inputs, const std::vector<Attr> &attrs, const std::vector<std::string> &outs);

    std::string m_graph;
    std::set<std::string> m_runtime, m_narrow;
    std::string m_openCvObstacle;
    std::set<std::string> m_names;
    std::map<std::vector<std::int64_t>, std::string> m_ints;
    std::map<float, std::string> m_floats;
    int m_values = 0, m_nodes = 0;
    std::size_t m_bytes = 0;
};

} // namespace fuselab::onnx
