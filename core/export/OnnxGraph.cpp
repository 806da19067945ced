// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/OnnxGraph.h"

#include "core/formats/Protobuf.h"

#include <torch/torch.h>

#include <algorithm>

namespace fuselab::onnx {

using namespace pb;

std::string tensorProto(const std::string &name, const torch::Tensor &t)
{
    torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    int type = kFloat;
    if (c.scalar_type() == torch::kLong)
        type = kInt64;
    else if (c.scalar_type() == torch::kInt)
        type = kInt32;
    else
        c = c.to(torch::kFloat).contiguous();
    std::string p;
    for (std::int64_t d : c.sizes())
        intField(p, 1, d);
    intField(p, 2, type);
    bytesField(p, 8, name);
    bytesField(p, 9, std::string(static_cast<const char *>(c.data_ptr()), static_cast<std::size_t>(c.nbytes())));
    return p;
}

std::string valueInfo(const std::string &name, int elemType, const std::vector<std::int64_t> &dims, const std::string &doc)
{
    std::string shape;
    for (std::int64_t d : dims) {
        std::string dim;
        if (d < 0)
            bytesField(dim, 2, "batch");
        else
            intField(dim, 1, d);
        bytesField(shape, 1, dim);
    }
    std::string tensor;
    intField(tensor, 1, elemType);
    bytesField(tensor, 2, shape);
    std::string type;
    bytesField(type, 1, tensor);
    std::string v;
    bytesField(v, 1, name);
    bytesField(v, 2, type);
    if (!doc.empty())
        bytesField(v, 3, doc);
    return v;
}

std::string Attr::encode() const
{
    std::string a;
    bytesField(a, 1, name);
    intField(a, 20, type);
    if (type == 1)
        floatField(a, 2, f);
    else if (type == 2)
        intField(a, 3, i);
    else if (type == 3)
        bytesField(a, 4, s);
    else if (type == 7)
        for (std::int64_t v : ints)
            intField(a, 8, v);
    return a;
}

std::vector<std::string> Builder::opN(const std::string &type, const std::vector<std::string> &inputs, const std::vector<Attr> &attrs, int outputs)
{
    std::string node;
    for (const std::string &in : inputs)
        bytesField(node, 1, in);
    std::vector<std::string> outs;
    for (int i = 0; i < outputs; ++i) {
        outs.push_back("v" + std::to_string(m_values++));
        bytesField(node, 2, outs.back());
    }
    bytesField(node, 3, type + "_" + std::to_string(m_nodes++));
    bytesField(node, 4, type);
    for (const Attr &a : attrs)
        bytesField(node, 5, a.encode());
    bytesField(m_graph, 1, node);
    track(type, inputs, attrs, outs);
    return outs;
}

void Builder::rawNode(const std::string &type, const std::vector<std::string> &inputs, const std::string &output)
{
    std::string node;
    for (const std::string &in : inputs)
        bytesField(node, 1, in);
    bytesField(node, 2, output);
    bytesField(node, 3, type + "_" + std::to_string(m_nodes++));
    bytesField(node, 4, type);
    bytesField(m_graph, 1, node);
    track(type, inputs, {}, {output});
}

std::string Builder::init(const std::string &name, const torch::Tensor &t)
{
    std::string n = name;
    for (int k = 2; m_names.count(n); ++k)
        n = name + "_" + std::to_string(k);
    m_names.insert(n);
    m_bytes += static_cast<std::size_t>(t.numel()) * (t.scalar_type() == torch::kLong || t.scalar_type() == torch::kDouble ? 8 : 4);
    bytesField(m_graph, 5, tensorProto(n, t));
    return n;
}

std::string Builder::i64(const std::vector<std::int64_t> &v)
{
    const auto it = m_ints.find(v);
    if (it != m_ints.end())
        return it->second;
    const std::string n = init("const_i" + std::to_string(m_ints.size()), torch::tensor(v, torch::kLong));
    m_ints[v] = n;
    return n;
}

V Builder::f32(float v)
{
    const auto it = m_floats.find(v);
    if (it != m_floats.end())
        return {it->second, 0};
    const std::string n = init("const_f" + std::to_string(m_floats.size()), torch::full({}, v));
    m_floats[v] = n;
    return {n, 0};
}

V Builder::reduce(const char *type, const V &x, const std::vector<std::int64_t> &axes, bool keep)
{
    const int rank = keep ? x.rank : x.rank - static_cast<int>(axes.size());
    if (std::string(type) == "ReduceSum") // axes an input from opset 13 on
        return op(type, {x.n, i64(axes)}, rank, {aInt("keepdims", keep)});
    return op(type, {x.n}, rank, {aInts("axes", axes), aInt("keepdims", keep)});
}

V Builder::concat(const std::vector<V> &xs, std::int64_t axis)
{
    if (xs.size() == 1)
        return xs[0];
    std::vector<std::string> names;
    for (const V &x : xs)
        names.push_back(x.n);
    return op("Concat", names, xs[0].rank, {aInt("axis", axis)});
}

V Builder::stack(const std::vector<V> &xs)
{
    std::vector<V> r;
    for (const V &x : xs)
        r.push_back(x.rank == 1 ? reshape(x, {-1, 1}) : reshape(x, {0, 1, -1}));
    return concat(r, 1);
}

V Builder::onesLike(const V &x)
{
    V first = slice(x, 1, 0, 1);
    if (first.rank > 2)
        first = reshape(first, {0, 1});
    return add(mul(first, f32(0.0f)), f32(1.0f));
}

void Builder::track(const std::string &type, const std::vector<std::string> &inputs, const std::vector<Attr> &attrs, const std::vector<std::string> &outs)
{
    static const std::set<std::string> openCvOps = {"Conv", "BatchNormalization", "Relu", "Tanh", "Sigmoid", "MaxPool", "AveragePool",
                                                    "GlobalAveragePool", "Flatten", "Gemm", "Add", "Sub", "Mul", "Div", "Erf",
                                                    "Slice", "Reshape", "Identity"};
    static const std::set<std::string> elementwise = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Where", "And", "Or", "Equal", "Less", "Greater"};
    std::size_t runtimeInputs = 0;
    bool narrowInput = false;
    for (const std::string &in : inputs) {
        runtimeInputs += m_runtime.count(in);
        narrowInput = narrowInput || (m_runtime.count(in) && m_narrow.count(in));
    }
    if (m_openCvObstacle.empty()) {
        if (!openCvOps.count(type))
            m_openCvObstacle = "the ONNX operator " + type;
        else if (elementwise.count(type) && runtimeInputs >= 2 && narrowInput)
            m_openCvObstacle = "a " + type + " of two runtime tensors that broadcasts";
    }
    bool keep = true;
    for (const Attr &a : attrs)
        if (a.name == "keepdims")
            keep = a.i != 0;
    // A narrow tensor may broadcast against another (a dimension of 1 where the other has
    // more): what reshapes, slices and keepdims reductions make, a global pool's [N, C, 1, 1],
    // and whatever keeps its input's shape (unary and elementwise operators) from a narrow one.
    static const std::set<std::string> shapeKeeping = {"Relu", "Tanh", "Sigmoid", "Erf", "Identity", "BatchNormalization", "Softmax",
                                                       "Neg", "Sqrt", "Exp", "Log", "Abs", "Not", "Cast", "LeakyRelu", "Elu"};
    const bool narrow = ((elementwise.count(type) || shapeKeeping.count(type)) && narrowInput) || type == "Reshape" || type == "Unsqueeze" ||
                        type == "Slice" || type == "GlobalAveragePool" || (type.rfind("Reduce", 0) == 0 && keep);
    for (const std::string &o : outs) {
        if (runtimeInputs)
            m_runtime.insert(o);
        if (narrow)
            m_narrow.insert(o);
    }
}

} // namespace fuselab::onnx
