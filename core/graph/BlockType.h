// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"
#include "core/graph/Shape.h"
#include "core/util/Message.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fuselab {

class BlockModule; // core/model/BlockModule.h: the LibTorch side of a block

// One option of a block: its JSON key (the same name as the block's XxxOptions field),
// type, default and range. The GUI builds its property editor from these; exporters read
// them with the block's math.
struct OptionSpec {
    enum class Type { Int, Float, Bool, Choice, String };
    std::string name;
    Type type = Type::Int;
    nlohmann::json defaultValue;
    double min = 0, max = 0;              // Int/Float: inclusive range (ignored when min > max)
    std::vector<std::string> choices;     // Choice
    std::string help;
    bool isPath = false;                  // String: a file path, relative to the experiment file's folder

    static OptionSpec integer(std::string name, long long def, long long min, long long max, std::string help);
    static OptionSpec real(std::string name, double def, double min, double max, std::string help);
    static OptionSpec boolean(std::string name, bool def, std::string help);
    static OptionSpec choice(std::string name, std::string def, std::vector<std::string> choices, std::string help);
    static OptionSpec text(std::string name, std::string def, std::string help);
    static OptionSpec file(std::string name, std::string help); // a text option holding a path
};

struct PortSpec {
    std::string name;
    std::vector<PortKind> kinds;     // inputs: kinds that may be connected; outputs: kinds it may produce
    bool multiple = false;           // inputs: accepts several edges (fusion inputs)
    std::string help;
};

// Index of the port called `name`, or -1.
int portIndex(const std::vector<PortSpec> &ports, const std::string &name);
// "in, x" (or "none"), and "vector or sequence": for messages.
std::string portNames(const std::vector<PortSpec> &ports);
std::string kindNames(const std::vector<PortKind> &kinds);

// What shape inference knows before any data is read.
// The shape one modality's input block produces, as decided by the preprocessing settings
// (core/document's inferContext computes it); or, when it cannot be known before reading
// data, the reason.
struct InputShape {
    std::optional<TensorShape> shape; // image [c,h,w], text tokens [length, vocab], audio [1, n_mels, frames]
    Message problem;                  // when shape is empty
};

struct InputShapes {
    InputShape image, text, audio;
    bool known = false; // false: no preprocessing settings at all (an empty editor)
};

struct InferContext {
    InputShapes inputs; // by value: shape inference reads no settings and no files
    std::int64_t numClasses = 0;
    std::optional<bool> multiLabel;         // the dataset's task, when known
    std::optional<Task> task;               // idem, all four kinds (multiLabel agrees)
    std::vector<ModalityColumn> modalities; // the dataset's modality columns
    std::string experimentDir; // relative paths in params (TorchScript files) resolve here
};

// The problems a block reports, each about one of its ports or options.
struct BlockProblem {
    std::string where; // port or option name, empty for the block as a whole
    Message text;      // translatable; text.str() is the English
};

// Describes one kind of block: ports, options, shape rule, math, and how to build it.
class BlockType {
public:
    virtual ~BlockType() = default;
    virtual std::string type() const = 0;       // "encoder.cnn"
    virtual std::string category() const = 0;   // "input", "encoder", "fusion", "head", "output"
    virtual std::string title() const = 0;      // "CNN encoder"
    virtual std::string math() const = 0;       // what it computes, for users and exporters
    virtual std::vector<PortSpec> inputs() const = 0;
    virtual std::vector<PortSpec> outputs() const = 0;
    virtual std::vector<OptionSpec> options() const = 0;

    // Output shapes (one per output port) from resolved params and the shapes arriving at
    // each input port. Adds problems instead of throwing; returns {} when it cannot infer.
    virtual std::vector<TensorShape> infer(const nlohmann::json &params,
                                           const std::vector<std::vector<TensorShape>> &inputs,
                                           const InferContext &context, std::vector<BlockProblem> &problems) const = 0;

    // The LibTorch module; only called on a graph that validated.
    virtual std::shared_ptr<BlockModule> create(const nlohmann::json &params,
                                                const std::vector<std::vector<TensorShape>> &inputs,
                                                const InferContext &context) const = 0;

    // Fills defaults and checks every given option's type and range; unknown keys are
    // problems too (a typo must not pass silently).
    nlohmann::json resolveParams(const nlohmann::json &given, std::vector<BlockProblem> &problems) const;
};

} // namespace fuselab
