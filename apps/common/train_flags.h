// The flags shared by zkd-train and zkd-distill, and their translation into a TrainConfig.
#pragma once
#include "apps/common/config.h"
#include "apps/common/flags.h"

namespace zkd::app {

void add_train_flags(Flags& f, bool distill);
// Reads the flags into a config. For distillation, every loss flag not given on the command
// line takes the paper's default for the method and teacher -> student pair, and so does --lr.
TrainConfig config_from_flags(const Flags& f, bool distill);
// With --list-models: prints the zoo's names and returns true (the app then exits).
bool list_models_if_asked(const Flags& f);
// --threads N: CPU threads of the whole CPU backend (default: the machine's cores). apply sets
// them (zkd::set_cpu_threads); config_from_flags applies it itself.
void add_threads_flag(Flags& f);
void apply_threads_flag(const Flags& f);
std::vector<int> parse_int_list(const std::string& s, const Flags& f, const std::string& flag);

}  // namespace zkd::app
