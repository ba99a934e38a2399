// MacCounter: a thread-local pointer to the innermost live counter.
#include "engine/ops/mac_counter.h"

namespace zkd {

namespace {
thread_local MacCounter* g_active = nullptr;
}  // namespace

MacCounter::MacCounter() : outer_(g_active) {
  g_active = this;
}

MacCounter::~MacCounter() {
  g_active = outer_;
  if (outer_) count_macs(total_);
}

void count_macs(int64_t macs) {
  if (g_active) g_active->total_ += macs;
}

}  // namespace zkd
