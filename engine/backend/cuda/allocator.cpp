// The caching device allocator (see allocator.h): blocks carved from cudaMalloc'ed segments, kept
// in two best-fit pools ordered by (size, address); freed blocks merge with free neighbours of the
// same segment. Only empty_cache() and the out-of-memory retry return segments with cudaFree.
#include "engine/backend/cuda/allocator.h"

#include <cuda_runtime.h>

#include <cstdio>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "engine/backend/cuda/context.h"
#include "engine/core/error.h"

namespace zkd::cuda {

namespace {

struct Block {
  char* ptr;
  size_t size;
  bool small;  // which pool the segment belongs to
  bool allocated = false;
  Block* prev = nullptr;  // neighbours inside the same segment
  Block* next = nullptr;
};

struct BySizeThenAddress {
  bool operator()(const Block* a, const Block* b) const {
    return a->size != b->size ? a->size < b->size : a->ptr < b->ptr;
  }
};
using Pool = std::set<Block*, BySizeThenAddress>;

size_t round_up(size_t v, size_t m) {
  return (v + m - 1) / m * m;
}

std::string mib(size_t bytes) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

class Allocator {
 public:
  void* allocate(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t size = round_up(bytes == 0 ? 1 : bytes, kAllocRound);
    bool small = size <= kSmallRequest;
    Pool& pool = small ? small_ : large_;
    Block* b = nullptr;
    auto it = pool.lower_bound(&key(size));
    if (it != pool.end()) {
      b = *it;
      pool.erase(it);
    } else {
      b = new_segment(bytes, size, small);
    }
    split(b, size, pool);
    b->allocated = true;
    live_[b->ptr] = b;
    stats_.allocated += b->size;
    if (stats_.allocated > stats_.peak_allocated) stats_.peak_allocated = stats_.allocated;
    return b->ptr;
  }

  void free(void* ptr) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(ptr);
    ZKD_CHECK(it != live_.end(), "cuda allocator",
              "expected a live block from the caching allocator to free, got ", ptr,
              " (a double free or a foreign pointer)");
    Block* b = it->second;
    live_.erase(it);
    b->allocated = false;
    stats_.allocated -= b->size;
    Pool& pool = b->small ? small_ : large_;
    if (b->prev && !b->prev->allocated) b = merge(b->prev, b, pool);
    if (b->next && !b->next->allocated) b = merge(b, b->next, pool);
    pool.insert(b);
  }

  size_t block_size(void* ptr) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(ptr);
    ZKD_CHECK(it != live_.end(), "cuda allocator", "expected a live block, got ", ptr);
    return it->second->size;
  }

  AllocatorStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }
  void reset_peaks() {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.peak_allocated = stats_.allocated;
    stats_.peak_reserved = stats_.reserved;
  }
  void empty_cache() {
    std::lock_guard<std::mutex> lock(mu_);
    release_cached();
  }
  void set_limit(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    limit_ = bytes;
  }
  size_t limit() {
    std::lock_guard<std::mutex> lock(mu_);
    return limit_;
  }

 private:
  // A search key for lower_bound: the first free block of at least `size` bytes.
  Block& key(size_t size) {
    key_.size = size;
    key_.ptr = nullptr;
    return key_;
  }

  static size_t segment_size(size_t size) {
    if (size <= kSmallRequest) return kSmallSegment;
    if (size < kMidRequest) return kMidSegment;
    return round_up(size, kLargeRound);
  }

  // Splits the tail off b when it is worth keeping: any remainder in the small pool, more than
  // 1 MiB in the large pool (smaller large-pool tails stay with the block, as in PyTorch).
  static void split(Block* b, size_t size, Pool& pool) {
    size_t rest = b->size - size;
    if (b->small ? rest < kAllocRound : rest <= kSmallRequest) return;
    Block* r = new Block{b->ptr + size, rest, b->small};
    r->prev = b;
    r->next = b->next;
    if (b->next) b->next->prev = r;
    b->next = r;
    b->size = size;
    pool.insert(r);
  }

  // Joins two adjacent blocks (a before b, at least one of them free and out of the pool).
  static Block* merge(Block* a, Block* b, Pool& pool) {
    pool.erase(a);
    pool.erase(b);
    a->size += b->size;
    a->next = b->next;
    if (b->next) b->next->prev = a;
    delete b;
    return a;
  }

  // cudaMalloc of a segment, or nullptr on out-of-memory (a real one or past the limit).
  char* try_malloc(size_t seg, std::string& why) {
    if (limit_ != 0 && stats_.reserved + seg > limit_) {
      why = "the memory limit of " + mib(limit_) + " set by set_memory_limit";
      return nullptr;
    }
    void* p = nullptr;
    cudaError_t e = cudaMalloc(&p, seg);
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // not sticky: clear it so the next launch check does not report it
      why = "cudaMalloc: out of memory";
      return nullptr;
    }
    check_cuda(e, "cudaMalloc(&p, seg)", __FILE__, __LINE__);
    return static_cast<char*>(p);
  }

  Block* new_segment(size_t bytes, size_t size, bool small) {
    size_t seg = segment_size(size);
    std::string why;
    char* p = try_malloc(seg, why);
    if (!p) {
      release_cached();  // free every unused cached segment, then retry once
      p = try_malloc(seg, why);
    }
    if (!p) {
      ++stats_.ooms;
      size_t free_b = 0, total_b = 0;
      std::string device = "device memory unknown";
      if (cudaMemGetInfo(&free_b, &total_b) == cudaSuccess)
        device = "device " + mib(free_b) + " free of " + mib(total_b);
      else
        cudaGetLastError();
      ZKD_FAIL("cuda allocator", "out of memory: expected to allocate ", bytes, " bytes (",
               mib(bytes), ", a ", mib(seg), " segment) on cuda:0, got a failure from ", why,
               " after freeing the cache; allocated ", mib(stats_.allocated), " (peak ",
               mib(stats_.peak_allocated), "), reserved ", mib(stats_.reserved), " (peak ",
               mib(stats_.peak_reserved), "); ", device);
    }
    ++stats_.device_mallocs;
    stats_.reserved += seg;
    if (stats_.reserved > stats_.peak_reserved) stats_.peak_reserved = stats_.reserved;
    return new Block{p, seg, small};
  }

  // cudaFree of every segment that is one free block (cudaFree waits for the device first).
  void release_cached() {
    for (Pool* pool : {&small_, &large_}) {
      std::vector<Block*> whole;
      for (Block* b : *pool)
        if (!b->prev && !b->next) whole.push_back(b);
      for (Block* b : whole) {
        pool->erase(b);
        check_cuda(cudaFree(b->ptr), "cudaFree(b->ptr)", __FILE__, __LINE__);
        ++stats_.device_frees;
        stats_.reserved -= b->size;
        delete b;
      }
    }
  }

  std::mutex mu_;
  Pool small_, large_;
  std::unordered_map<void*, Block*> live_;
  AllocatorStats stats_;
  size_t limit_ = 0;
  Block key_{nullptr, 0, false};
};

// Never destroyed: tensors freed during static destruction still find it, and no cudaFree runs
// after the CUDA runtime has shut down.
Allocator& instance() {
  static Allocator* a = new Allocator;
  return *a;
}

}  // namespace

void* device_alloc(size_t bytes) {
  return instance().allocate(bytes);
}
void device_free(void* ptr) {
  instance().free(ptr);
}
size_t block_size(void* ptr) {
  return instance().block_size(ptr);
}
AllocatorStats allocator_stats() {
  return instance().stats();
}
void reset_peak_stats() {
  instance().reset_peaks();
}
void empty_cache() {
  instance().empty_cache();
}
void set_memory_limit(size_t bytes) {
  instance().set_limit(bytes);
}
size_t memory_limit() {
  return instance().limit();
}

}  // namespace zkd::cuda
