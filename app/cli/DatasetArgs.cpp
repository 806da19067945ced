// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/DatasetArgs.h"

#include <cstdio>

namespace fuselab::cli {

const char *const kReaderHelp =
    "  --label-column NAME     manifest column holding the target (default: label)\n"
    "  --task KIND             classification, multilabel, regression or sequence (default: what the labels suggest)\n"
    "  --column NAME=KIND      force a manifest column's type: image, audio, text or ignore\n"
    "  --seed N                seed of the generated train/val/test split (default 42)\n"
    "  --split A,B,C           train,val,test fractions when the data has no split (default 0.8,0.1,0.1)\n"
    "  --threads N             worker threads (default: every logical core)\n";

const std::set<std::string> kReaderOptions = {"label-column", "task", "seed", "split", "threads"};

#ifdef FUSELAB_WITH_INGEST
LoadOptions readerOptions(const CliArgs &a)
{
    LoadOptions o;
    if (auto v = a.value("label-column"))
        o.reader.labelColumn = *v;
    if (auto v = a.value("task")) {
        o.reader.task = taskFromName(*v);
        if (!o.reader.task)
            throw UsageError("--task expects classification, multilabel, regression or sequence, not \"" + *v + "\"");
    }
    for (const std::string &spec : a.values("column")) {
        const auto eq = spec.find('=');
        const auto type = eq == std::string::npos || eq == 0 ? std::nullopt : columnTypeFromName(spec.substr(eq + 1));
        if (!type)
            throw UsageError("--column expects NAME=image|audio|text|ignore, not \"" + spec + "\"");
        o.reader.columnTypes[spec.substr(0, eq)] = *type;
    }
    o.split.seed = static_cast<std::uint64_t>(a.intValue("seed", 42, 0, INT64_MAX));
    if (auto v = a.value("split")) {
        double f[3];
        if (std::sscanf(v->c_str(), "%lf,%lf,%lf", &f[0], &f[1], &f[2]) != 3 || f[0] <= 0 || f[1] < 0 || f[2] < 0)
            throw UsageError("--split expects three fractions like 0.8,0.1,0.1, not \"" + *v + "\"");
        o.split.train = f[0];
        o.split.val = f[1];
        o.split.test = f[2];
    }
    return o;
}
#endif

} // namespace fuselab::cli
