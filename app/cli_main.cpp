// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli: the headless FuseLab engine.
#include "app/cli/CliArgs.h"
#include "app/cli/Commands.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

const char *kUsage =
    "Usage: fuselab-cli COMMAND [options]\n"
    "\n"
    "Commands:\n"
    "  inspect DATASET [--json]   check a dataset's health: classes, modalities, corrupt and\n"
    "                             duplicate files, size/duration/length distributions\n"
    "  cache DATASET              preprocess a dataset into a tensor cache (printed path)\n"
    "  new --template NAME --dataset PATH -o FILE\n"
    "                             write a ready experiment (new --list shows the templates)\n"
    "  check EXPERIMENT           check the model graph: shapes, parameters, problems\n"
    "  blocks [--json|--markdown] list the building blocks, their options and math\n"
    "  train EXPERIMENT           train (--out RUN_DIR, --device, --epochs, --seed, --resume RUN_DIR)\n"
    "  eval RUN_DIR               metrics of the best checkpoint (--split val|test, --json)\n"
    "  contributions RUN_DIR      what each modality brings: metrics with each one removed\n"
    "  explain RUN_DIR --row N    why a prediction: probabilities and Grad-CAM of image encoders\n"
    "  lesson DATASET --out DIR   the fusion lesson: single modalities against fusions, one table\n"
    "  imbalance DATASET --class NAME --out DIR\n"
    "                             the imbalance lesson: a class made rare, four remedies compared\n"
    "  export RUN_DIR             the best checkpoint for other tools (--format safetensors|torchscript|onnx|pytorch|all -o DIR)\n"
    "  predict RUN_DIR FILE...    class probabilities for new samples (--text \"...\", --json)\n"
    "\n"
    "Run 'fuselab-cli COMMAND --help' for a command's options.\n"
    "DATASET is a folder (class folders, IDX files, or one holding manifest.csv/.jsonl)\n"
    "or a .csv/.jsonl manifest. Exit codes: 0 success, 1 failure, 2 bad usage or input.\n";

} // namespace

int main(int argc, char **argv)
{
    // A file past the size limit (ulimit -f) fails its write with a message, not a silent kill.
    std::signal(SIGXFSZ, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::fputs(kUsage, args.empty() ? stderr : stdout);
        return args.empty() ? fuselab::cli::kExitUsage : fuselab::cli::kExitOk;
    }
    if (args[0] == "--version") {
        std::printf("fuselab-cli %s\n", FUSELAB_VERSION);
        return 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "inspect")
        return fuselab::cli::inspectCommand(args);
    if (command == "cache")
        return fuselab::cli::cacheCommand(args);
    if (command == "new")
        return fuselab::cli::newCommand(args);
    if (command == "check")
        return fuselab::cli::checkCommand(args);
    if (command == "blocks")
        return fuselab::cli::blocksCommand(args);
    if (command == "train")
        return fuselab::cli::trainCommand(args);
    if (command == "imbalance")
        return fuselab::cli::imbalanceCommand(args);
    if (command == "lesson")
        return fuselab::cli::lessonCommand(args);
    if (command == "explain")
        return fuselab::cli::explainCommand(args);
    if (command == "contributions")
        return fuselab::cli::contributionsCommand(args);
    if (command == "export")
        return fuselab::cli::exportCommand(args);
    if (command == "eval")
        return fuselab::cli::evalCommand(args);
    if (command == "predict")
        return fuselab::cli::predictCommand(args);
    std::fprintf(stderr, "fuselab-cli: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
    return fuselab::cli::kExitUsage;
}
