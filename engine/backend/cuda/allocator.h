// The caching device allocator (after PyTorch's CUDACachingAllocator, simplified to one device and
// one stream): sizes rounded up to 512 bytes; a small pool (<= 1 MiB, carved from 2 MiB segments)
// and a large pool; best fit with block splitting; freed blocks return to the cache at once (every
// kernel runs on the one compute stream, so reuse is stream-ordered). In steady state it makes no
// cudaMalloc / cudaFree. On out-of-memory it frees the cached segments and retries once, then
// throws a zkd::Error naming the request and the peaks.
#pragma once
#include <cstddef>
#include <cstdint>

namespace zkd::cuda {

struct AllocatorStats {
  size_t allocated = 0;  // bytes in blocks handed out (rounded sizes)
  size_t peak_allocated = 0;
  size_t reserved = 0;  // bytes obtained from cudaMalloc and not yet returned
  size_t peak_reserved = 0;
  int64_t device_mallocs = 0;  // cudaMalloc calls that succeeded, since the process started
  int64_t device_frees = 0;    // cudaFree calls
  int64_t ooms = 0;            // requests that failed after the free-and-retry
};

constexpr size_t kAllocRound = 512;        // every block is a multiple of this
constexpr size_t kSmallRequest = 1 << 20;  // requests up to 1 MiB use the small pool
constexpr size_t kSmallSegment = 2 << 20;  // small-pool segments are 2 MiB
constexpr size_t kMidRequest = 10 << 20;   // 1-10 MiB requests share 20 MiB segments
constexpr size_t kMidSegment = 20 << 20;
constexpr size_t kLargeRound = 2 << 20;  // larger requests: own segment, 2 MiB multiple

// Process-wide allocator for device 0. Thread-safe.
void* device_alloc(size_t bytes);  // never null; throws zkd::Error on failure
void device_free(void* ptr);       // ptr from device_alloc; throws on an unknown pointer
size_t block_size(void* ptr);      // rounded size of an allocated block
AllocatorStats allocator_stats();
void reset_peak_stats();  // peaks := current values
void empty_cache();       // cudaFree every fully unused cached segment
// Caps the reserved bytes (0 = no cap, the default): a request that would take reserved memory
// past the cap fails like a real out-of-memory (cache freed, one retry, then zkd::Error), so the
// OOM path is testable without exhausting a GPU.
void set_memory_limit(size_t bytes);
size_t memory_limit();

}  // namespace zkd::cuda
