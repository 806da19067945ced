// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <vector>

namespace fuselab::cli {

// Each returns the process exit code (CliArgs.h); errors go to stderr.
int inspectCommand(const std::vector<std::string> &args);
int cacheCommand(const std::vector<std::string> &args);
int newCommand(const std::vector<std::string> &args);
int checkCommand(const std::vector<std::string> &args);
int blocksCommand(const std::vector<std::string> &args);
int trainCommand(const std::vector<std::string> &args);
int evalCommand(const std::vector<std::string> &args);
int lessonCommand(const std::vector<std::string> &args);
int imbalanceCommand(const std::vector<std::string> &args);
int contributionsCommand(const std::vector<std::string> &args);
int explainCommand(const std::vector<std::string> &args);
int predictCommand(const std::vector<std::string> &args);
int exportCommand(const std::vector<std::string> &args);

} // namespace fuselab::cli
