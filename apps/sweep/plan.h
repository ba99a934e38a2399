// A sweep's plan: its mode (train | distill), the flags shared by all members, its axes, and the
// expanded members with their configs. Stored as DIR/sweep.json so that `zkd-sweep --resume DIR`
// and `--member I` know the members; every member trains into the ordinary run directory
// DIR/<member name>.
//
// A member's config is made exactly as zkd-train / zkd-distill make theirs: the shared flags plus
// "--<setting>=<value>" for each axis, "--seed" and "--out", parsed by parse_train_command
// (train_flags.h), so paper defaults that depend on the method or the model follow each member.
#pragma once
#include <string>
#include <vector>

#include "apps/config/config.h"
#include "apps/sweep/grid.h"

namespace zkd::app::sweep {

struct Plan {
  std::string mode;                      // train | distill
  std::vector<std::string> shared_args;  // command-line flags given to every member, verbatim
  std::vector<Axis> axes;                // as given (expand() orders them)
  std::vector<Member> members;
  std::vector<TrainConfig> configs;  // one per member; out = dir/name
  // Per member: --teacher-cache auto (configs[i].teacher_cache is the resolved file, built once
  // before the members start when missing: run_sweep).
  std::vector<bool> auto_cache;
};

// The flags a member is launched with (without a program name).
std::vector<std::string> member_args(const std::vector<std::string>& shared_args, const Member& m,
                                     const std::string& out);
// Expands the axes and makes every member's config; a bad flag value throws a UsageError (exit 2)
// before anything trains, as zkd-train / zkd-distill do.
Plan make_plan(const std::string& mode, const std::vector<std::string>& shared_args,
               const std::vector<Axis>& axes, const std::string& dir);

void write_plan(const Plan& plan, const std::string& dir);  // DIR/sweep.json
// Reads DIR/sweep.json and makes the plan again from its mode, flags and axes (the stored member
// names must come out the same).
Plan read_plan(const std::string& dir);

}  // namespace zkd::app::sweep
