// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fuselab {

enum class Modality { Image, Audio, Text };
const char *modalityName(Modality m);
std::optional<Modality> modalityFromName(const std::string &name);

// What a dataset's samples are labelled with, and so what a model learns to output: one
// class, a set of classes, a number, or a text (a sequence of tokens).
enum class Task : std::uint8_t { Classification, MultiLabel, Regression, Sequence };
const char *taskName(Task t); // "classification", "multilabel", "regression", "sequence"
std::optional<Task> taskFromName(const std::string &name); // also "multi-label", "single-label"

enum class Split : std::uint8_t { Train = 0, Val = 1, Test = 2, None = 255 };
const char *splitName(Split s);
std::optional<Split> splitFromName(const std::string &name); // train/val/valid/validation/dev/test

// Images held in memory (IDX files): row-major uint8, `count` images of rows × cols.
struct ImageBlob {
    std::int64_t count = 0, rows = 0, cols = 0;
    std::vector<std::uint8_t> pixels;
    std::string sourceFile; // the IDX file, for messages
    const std::uint8_t *image(std::int64_t i) const { return pixels.data() + i * rows * cols; }
};

// One modality of one sample.
struct Field {
    bool present = false;
    std::string value;            // absolute path (image/audio/text file) or inline text
    bool isPath = false;          // value names a file (always, except inline manifest text)
    std::int64_t blobIndex = -1;  // index into Dataset::blob for IDX images
};

struct ModalityColumn {
    std::string name;   // manifest column, or "image"/"audio"/"text" for folder trees
    Modality kind = Modality::Text;
};

struct Sample {
    std::string id;        // row number or relative path stem, for messages
    int label = -1;        // single-label datasets: index into Dataset::classes
    std::vector<int> labels; // multi-label datasets: sorted class indices, possibly none
    double target = 0;       // regression datasets: the number (finite)
    std::string targetText;  // sequence datasets: the text to produce
    Split split = Split::None;
    std::vector<Field> fields; // parallel to Dataset::columns
};

struct Dataset {
    std::string root;             // folder that relative paths resolve against
    std::string source;           // what the user pointed at
    std::string format;           // "csv", "jsonl", "folder", "idx"
    std::vector<std::string> classes;
    bool multiLabel = false;      // each sample has a set of classes (Sample::labels); task == MultiLabel
    Task task = Task::Classification;
    Message taskReason;           // why the reader took this task (the data, or --task)
    std::vector<ModalityColumn> columns;
    std::vector<Sample> samples;
    std::vector<DataIssue> issues; // rows and files skipped while reading, and warnings
    bool splitGiven = false;       // splits came from the data rather than from splitDataset()
    std::shared_ptr<const ImageBlob> blob;

    int columnIndex(Modality m) const; // first column of that kind, -1 when none
    // How a field is named in messages: a path relative to the root, "file #index" for
    // IDX images, "(inline text)" for manifest text.
    std::string displayName(const Field &f) const;
};

// Calls f(classIndex) for each class of the sample: its label, or each of its labels in a
// multi-label dataset (none in a regression or sequence dataset).
template <class F>
void forEachClass(const Dataset &d, const Sample &s, F &&f)
{
    if (d.task == Task::Regression || d.task == Task::Sequence)
        return;
    if (d.multiLabel) {
        for (int c : s.labels)
            f(c);
    } else {
        f(s.label);
    }
}

// In CSV manifests, the separator between the classes of a multi-label sample
// ("cat;outdoor"); JSONL manifests give a list (["cat", "outdoor"]).
constexpr char kLabelSeparator = ';';

// What decides the modality of a manifest column.
enum class ColumnType { Auto, Image, Audio, Text, Ignore };

std::optional<ColumnType> columnTypeFromName(const std::string &name); // image|audio|text|ignore
const char *columnTypeName(ColumnType t);

struct ReaderOptions {
    std::string labelColumn = "label";
    std::string splitColumn = "split";
    std::map<std::string, ColumnType> columnTypes; // --column NAME=image|audio|text|ignore
    bool labelRequired = true; // false for manifests of new samples to predict
    std::optional<Task> task;  // --task: overrides what the labels suggest
};

bool hasImageExtension(const std::string &path);
bool hasAudioExtension(const std::string &path);
bool hasTextExtension(const std::string &path);
std::string lowerExtension(const std::string &path); // ".png", lower-case; empty when none
// The extension for a message: lowerExtension, or the sentence "(none)" when there is none.
MessageArg extensionArg(const std::string &path);

// Orders class names numerically when all are integers ("2" before "10"), else bytewise.
void sortClassNames(std::vector<std::string> &names);

} // namespace fuselab
