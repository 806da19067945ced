// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one walk over a model's blocks that every export format shares: the graph's order,
// each block's inputs (a dataset column, or earlier blocks' outputs in port order), and a
// refusal anywhere inside a block's lowering turned into an error naming the block.
#include "core/model/FusionModel.h"
#include "core/model/Lowering.h"
#include "core/model/SequenceHead.h"
#include "core/util/Error.h"
#include "core/util/Message.h"

#include <functional>
#include <string>
#include <typeinfo>
#include <vector>

namespace fuselab::exporting {

struct StepInputs {
    int column = -1;               // >= 0: an input block reading that dataset column
    std::vector<std::string> from; // otherwise the nodes whose outputs it reads
};

// The step whose block produces a text (a decoder or CTC), or nullptr.
inline const FusionModelImpl::Step *sequenceStep(const FusionModel &model)
{
    for (const auto &s : model->steps())
        if (dynamic_cast<const SequenceHead *>(s.module.get()))
            return &s;
    return nullptr;
}

// Runs f (a block's lowering), a refusal anywhere inside it turned into an Error naming the
// block: `refusal` is "block %1 (%2) cannot be exported to <format>: %3".
template <typename F>
auto lowerStep(const FusionModel &model, const FusionModelImpl::Step &s, MessageText refusal, F &&f) -> decltype(f())
{
    const GraphNode *n = model->graph().node(s.node);
    const auto refuse = [&](const std::string &why) { return Error(Message(refusal, n->displayName(), n->type, why)); };
    try {
        return f();
    } catch (const lowering::Refused &r) {
        throw refuse(r.why);
    } catch (const Error &) {
        throw;
    } catch (const std::bad_cast &) {
        throw refuse("its module is not the one this exporter knows");
    } catch (const std::exception &x) { // c10::Error, torch::jit::ErrorReport
        throw refuse(std::string(x.what()).substr(0, 600));
    }
}

inline void forEachBlock(const FusionModel &model, MessageText refusal,
                         const std::function<void(const FusionModelImpl::Step &, const StepInputs &)> &lower)
{
    for (const FusionModelImpl::Step &s : model->steps()) {
        lowerStep(model, s, refusal, [&] {
            StepInputs in;
            in.column = s.column;
            if (s.column < 0)
                for (const auto &port : s.sources)
                    for (const auto &[from, idx] : port) {
                        if (idx != 0)
                            throw lowering::Refused{"it reads a second output of another block"};
                        in.from.push_back(from);
                    }
            lower(s, in);
        });
    }
}

} // namespace fuselab::exporting
