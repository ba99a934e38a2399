// MacCounter: counts the forward multiply-accumulates of conv2d and linear on the calling thread
// while one is alive (conv: N*K*(C/groups)*R*S*Ho*Wo, linear: N*I*O; bias adds not counted), so
// a model summary gets its MACs from a real forward pass instead of a per-net formula.
#pragma once
#include <cstdint>

namespace zkd {

class MacCounter {
 public:
  MacCounter();   // starts counting on this thread (nests: the inner counter sees its own ops)
  ~MacCounter();  // the enclosing counter, if any, gets this one's count too
  MacCounter(const MacCounter&) = delete;
  MacCounter& operator=(const MacCounter&) = delete;
  int64_t total() const { return total_; }

 private:
  friend void count_macs(int64_t macs);
  int64_t total_ = 0;
  MacCounter* outer_;
};

// Called by the ops; a no-op when no counter is alive on this thread.
void count_macs(int64_t macs);

}  // namespace zkd
