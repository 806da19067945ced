// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/BlockModule.h"

namespace fuselab {

namespace {
thread_local ActivationTap *t_tap = nullptr;
}

ActivationTap *activationTap() { return t_tap; }
void setActivationTap(ActivationTap *tap) { t_tap = tap; }

torch::Tensor allPresent(const std::vector<Value> &values)
{
    torch::Tensor m = values.at(0).mask;
    for (std::size_t i = 1; i < values.size(); ++i)
        m = m * values[i].mask;
    return m;
}

torch::Tensor anyPresent(const std::vector<Value> &values)
{
    torch::Tensor m = values.at(0).mask;
    for (std::size_t i = 1; i < values.size(); ++i)
        m = torch::maximum(m, values[i].mask);
    return m;
}

} // namespace fuselab
