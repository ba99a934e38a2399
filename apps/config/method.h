// The method table: every training method zkd knows (ce, kd, dkd, mlkd, ctkd; the four
// distillation methods each with or without logit standardization, "+ls") as one typed row that
// says what the rest of the apps need to know about it: its name, whether it needs a teacher and a
// strong view, which method-specific settings apply, and which fused loss it uses. A method name
// is parsed here and nowhere else; everything else compares the typed Method. The per-pair
// recipes (epochs, LR, T, weights) are in recipes.h.
#pragma once
#include <string>
#include <vector>

#include "engine/backend/op_args.h"

namespace zkd::app {

enum class MethodFamily { CE, KD, DKD, MLKD, CTKD };

// One method: a family and, for the distillation families, the logit-standardization switch.
struct Method {
  MethodFamily family = MethodFamily::KD;
  bool ls = false;  // logit standardization (docs/zscore-kd.md); always false for CE

  std::string name() const;  // "ce", "kd", "kd+ls", ...
  bool distills() const { return family != MethodFamily::CE; }
  bool operator==(const Method& o) const { return family == o.family && ls == o.ls; }
  bool operator!=(const Method& o) const { return !(*this == o); }

  // The one parser of method names ("kd+ls"); otherwise a UsageError naming `what` and the known
  // names, with the nearest one.
  static Method parse(const std::string& name, const std::string& what = "--method");
};

struct MethodRow {
  MethodFamily family;
  const char* name;            // the name without "+ls"
  const char* title;           // for people: "DKD"
  bool has_ls;                 // an "+ls" variant exists (every family but CE)
  bool needs_teacher;          // the step runs a frozen teacher
  bool strong_view;            // the step also needs the strong (RandAugment) view: MLKD
  const char* setting_prefix;  // its own settings ("dkd_" -> dkd_beta, dkd_warmup), or ""
  KdMethod loss, loss_ls;      // the fused loss of the plain and the +ls variant (CE: unused)
};

const std::vector<MethodRow>& method_table();
const MethodRow& method_row(MethodFamily family);
inline const MethodRow& row_of(const Method& m) {
  return method_row(m.family);
}

// Every method name, in table order: "ce", "kd", "kd+ls", ...; without CE when !with_ce.
std::vector<std::string> method_names(bool with_ce = true);
// The fused loss of a distillation method: KD or KD_LS for kd / mlkd / ctkd (+ls), DKD or DKD_LS
// for dkd (+ls).
KdMethod kd_loss_method(const Method& m);
// The row whose own settings `key` names (dkd_beta -> DKD), or CE's row for a shared setting.
const MethodRow& setting_owner(const std::string& key);
// Whether setting `key` applies to `m`: a key with a method's prefix (dkd_*, ctkd_*) only to that
// method's family; every other key always.
bool setting_applies(const std::string& key, const Method& m);

}  // namespace zkd::app
