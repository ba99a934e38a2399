// zkd-bench's progress lines, table and JSON (see report.h).
#include "apps/bench/report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace zkd::app::bench {
namespace {

std::string table_model(const Row& r) {
  return (r.kind == "sweep" ? r.model + " x" + std::to_string(r.members) : r.model) +
         (r.teacher_cache ? " cached" : "");
}

}  // namespace

void print_progress(const Row& r) {
  std::printf("%-6s %-24s batch %4lld  %8.3f ms/step  %9.0f img/s  cpu %8.3f ms/step\n",
              r.kind.c_str(), table_model(r).c_str(), static_cast<long long>(r.batch), r.time.ms,
              r.images_per_s, r.time.cpu_ms);
  std::fflush(stdout);
}

void print_table(const RunInfo& info, const std::vector<Row>& rows) {
  const Protocol& p = info.protocol;
  std::printf("\nzkd-bench on %s, %s, %s, %s, warm-up %lld, %lld steps x %lld repeats (median)\n",
              info.device.c_str(), info.precision.c_str(), info.layout.c_str(),
              info.graph ? "whole-step CUDA graph" : "eager (no graph)",
              static_cast<long long>(p.warmup), static_cast<long long>(p.steps),
              static_cast<long long>(p.repeats));
  std::printf(
      "| case  | model                    | batch | ms/step  | images/s  | peak MiB | TFLOP/s |\n");
  std::printf(
      "|-------|--------------------------|-------|----------|-----------|----------|---------|\n");
  for (const Row& r : rows)
    std::printf("| %-5s | %-24s | %5lld | %8.3f | %9.0f | %8.1f | %7.3f |\n", r.kind.c_str(),
                table_model(r).c_str(), static_cast<long long>(r.batch), r.time.ms, r.images_per_s,
                r.time.peak_mib, r.tflops);
}

std::string to_json(const RunInfo& info, const std::vector<Row>& rows) {
  nlohmann::json out = {{"tool", "zkd-bench"},          {"version", info.version},
                        {"command", info.command},      {"device", info.device},
                        {"precision", info.precision},  {"layout", info.layout},
                        {"graph", info.graph},          {"warmup", info.protocol.warmup},
                        {"steps", info.protocol.steps}, {"repeats", info.protocol.repeats},
                        {"threads", info.threads},      {"rows", nlohmann::json::array()}};
  for (const Row& r : rows)
    out["rows"].push_back({{"impl", "zkd"},
                           {"name", r.name()},
                           {"case", r.kind},
                           {"model", r.model},
                           {"members", r.members},
                           {"teacher_cache", r.teacher_cache},
                           {"device", info.device},
                           {"precision", info.precision},
                           {"layout", info.layout},
                           {"graph", info.graph},
                           {"batch", r.batch},
                           {"ms_per_step", r.time.ms},
                           {"images_per_s", r.images_per_s},
                           {"peak_mib", r.time.peak_mib},
                           {"tflops", r.tflops},
                           {"cpu_ms_per_step", r.time.cpu_ms},
                           {"allocated_mib_after_repeat", r.time.allocated_mib},
                           {"reserved_mib_after_repeat", r.time.reserved_mib},
                           {"version", info.version}});
  return out.dump(2) + "\n";
}

}  // namespace zkd::app::bench
