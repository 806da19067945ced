// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writing Python (and TorchScript, its subset) as text: names, numbers, lists and strings as
// the two languages read them, and PyTorch's constructor of a module equivalent to one of
// LibTorch's. Used by the TorchScript and PyTorch-code back ends (core/export/TextOps.h).
#include <torch/nn/module.h>
#include <torch/expanding_array.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fuselab::pytext {

// A Python identifier made of s: other characters become '_', a leading digit gets one.
std::string ident(const std::string &s);
// The shortest decimal that reads back as the same double (1e-05, not 1.0000000000000001e-05).
std::string num(double v);
std::string ints(const std::vector<std::int64_t> &v);
template <std::size_t D>
std::string ints(const torch::ExpandingArray<D> &a)
{
    return ints(std::vector<std::int64_t>(a->begin(), a->end()));
}
// A Python tuple literal: (3,) or (3, 3).
template <std::size_t D>
std::string tuple(const torch::ExpandingArray<D> &a)
{
    std::string s = "(";
    for (std::size_t i = 0; i < D; ++i)
        s += std::to_string((*a)[i]) + (D == 1 || i + 1 < D ? ", " : "");
    while (!s.empty() && s.back() == ' ')
        s.pop_back();
    return s + ")";
}
std::string quoted(const std::string &s);
// "features.0.weight" -> "features[0].weight": a path as Python reaches it from `self`.
std::string pyPath(const std::string &path);
inline std::string pyBool(bool b) { return b ? "True" : "False"; }
std::string list(const std::vector<std::string> &v);
std::string shapeArgs(const torch::Tensor &t);
// ", dtype=torch.int64" and the like (nothing for float32); refuses other types.
std::string pyDtype(const torch::Tensor &t);
bool isIdentifier(const std::string &s);

// PyTorch's constructor of an equivalent module: the same layer with the same options, so
// that its state_dict names and forward are LibTorch's. Modules of FuseLab's own (residual
// blocks, sequence inputs, the transformer stack) become containers of their parts, which
// the generated forward calls one by one. Throws lowering::Refused for what it cannot write.
std::string ctor(const torch::nn::Module &m, const std::string &indent);
// A module PyTorch has as it is (no FuseLab container inside): the generated code calls it.
bool pytorchLayer(const torch::nn::Module &m);

} // namespace fuselab::pytext
