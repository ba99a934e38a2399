// The method table and the one parser of method names (see method.h).
#include "apps/config/method.h"

#include "apps/config/cli.h"
#include "engine/core/error.h"

namespace zkd::app {

const std::vector<MethodRow>& method_table() {
  using F = MethodFamily;
  static const std::vector<MethodRow> t = {
      // family  name    title   has_ls teacher strong prefix   loss          loss_ls
      {F::CE, "ce", "CE", false, false, false, "", KdMethod::KD, KdMethod::KD},
      {F::KD, "kd", "KD", true, true, false, "", KdMethod::KD, KdMethod::KD_LS},
      {F::DKD, "dkd", "DKD", true, true, false, "dkd_", KdMethod::DKD, KdMethod::DKD_LS},
      {F::MLKD, "mlkd", "MLKD", true, true, true, "", KdMethod::KD, KdMethod::KD_LS},
      {F::CTKD, "ctkd", "CTKD", true, true, false, "ctkd_", KdMethod::KD, KdMethod::KD_LS},
  };
  return t;
}

const MethodRow& method_row(MethodFamily family) {
  for (const MethodRow& r : method_table())
    if (r.family == family) return r;
  ZKD_FAIL("method", "expected a method family of the table, got ", static_cast<int>(family));
}

std::string Method::name() const {
  const MethodRow& r = method_row(family);
  return std::string(r.name) + (ls && r.has_ls ? "+ls" : "");
}

std::vector<std::string> method_names(bool with_ce) {
  std::vector<std::string> out;
  for (const MethodRow& r : method_table()) {
    if (!with_ce && r.family == MethodFamily::CE) continue;
    out.push_back(Method{r.family, false}.name());
    if (r.has_ls) out.push_back(Method{r.family, true}.name());
  }
  return out;
}

Method Method::parse(const std::string& name, const std::string& what) {
  for (const MethodRow& r : method_table()) {
    for (bool ls : {false, true}) {
      if (ls && !r.has_ls) continue;
      Method m{r.family, ls};
      if (m.name() == name) return m;
    }
  }
  std::string list;
  const std::vector<std::string> names = method_names();
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  throw UsageError(what + " expects one of " + list + ", got '" + name + "'" +
                   did_you_mean(name, names));
}

KdMethod kd_loss_method(const Method& m) {
  ZKD_CHECK(m.distills(), "method", "expected a distillation method, got ", m.name());
  const MethodRow& r = row_of(m);
  return m.ls ? r.loss_ls : r.loss;
}

const MethodRow& setting_owner(const std::string& key) {
  for (const MethodRow& r : method_table()) {
    const std::string prefix = r.setting_prefix;
    if (!prefix.empty() && key.rfind(prefix, 0) == 0) return r;
  }
  return method_row(MethodFamily::CE);
}

bool setting_applies(const std::string& key, const Method& m) {
  const MethodRow& owner = setting_owner(key);
  return owner.family == MethodFamily::CE || owner.family == m.family;
}

}  // namespace zkd::app
