// The teacher-logit cache (docs/teacher-cache.md): the frozen teacher's fp32 logits for every
// training image x crop offset (81: pad 4, crop 32) x flip (2), built once by
// `zkd-data teacher-logits`, so that a KD step looks its teacher logits up instead of running the
// teacher. The file binds itself to the teacher checkpoint's SHA-256, the training set's digest,
// the class count and the augmentation; a cache that does not match is refused in one line.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/config/config.h"
#include "datasets/image_set.h"
#include "datasets/loader.h"
#include "engine/nn/module.h"
#include "engine/tensor/tensor.h"

namespace zkd::app {

constexpr int64_t kCacheOffsets = (2 * kAugmentPad + 1) * (2 * kAugmentPad + 1);  // 81
constexpr int64_t kCacheViews = kCacheOffsets * 2;                                // x 2 flips

// What a cache is bound to (the file's header): equal bindings = interchangeable caches.
struct CacheBinding {
  std::string teacher_sha256, teacher_model, data_sha256;
  int64_t classes = 0, images = 0;
};

// The row of a sample in the [images * 162, classes] table: (image * 81 + dy * 9 + dx) * 2 + flip.
inline int64_t cache_row(int64_t image, const AugmentDraw& d) {
  return (image * kCacheOffsets + d.dy * (2 * kAugmentPad + 1) + d.dx) * 2 + (d.flip ? 1 : 0);
}

// SHA-256 over a set's images (uint8 [N, 3, 32, 32]) then its labels (int64 [N], little-endian).
std::string image_set_sha256(const data::ImageSet& set);

// The binding of cfg's teacher (teacher_checkpoint, teacher_model, num_classes) and training set.
CacheBinding cache_binding(const TrainConfig& cfg, const data::ImageSet& train);

// --teacher-cache auto: the default file below, built when missing (docs/teacher-cache.md). A file
// named "auto" is ./auto.
constexpr const char* kAutoTeacherCache = "auto";

// The cache file `zkd-data teacher-logits` writes and `--teacher-cache auto` uses by default:
// beside the teacher's checkpoint, teacher-logits-<classes>c[-<train_per_class>pc].bin.
std::string default_cache_path(const std::string& teacher_checkpoint, int64_t classes,
                               int64_t train_per_class);

// The teacher's logits of images [first, first + count) of `train` for all 162 views, in the
// cache's row order: [count * 162, classes] on the CPU, in the teacher's dtype. Each view is made
// in float32 by augment_image_cpu (the training transform's per-image body) and converted to
// `dtype` (the teacher's parameter dtype: F32 for the cache, F64 for the float64 exactness test)
// on the teacher's device `dev`; forwards of images_per_forward x 162 views, no gradient. The
// teacher must be in eval mode.
Tensor teacher_view_logits(Module& teacher, const data::ImageSet& train, int64_t first,
                           int64_t count, int64_t images_per_forward, Device dev, DType dtype);

// Builds the cache of cfg's teacher over `train` into out (atomic). Forwards of
// images_per_forward x 162 views; a progress line to stdout. An interrupted build resumes from
// the chunks in "<out>.partial/" (kept only when their binding is the same).
void build_teacher_cache(const TrainConfig& cfg, const data::ImageSet& train,
                         const std::string& out, int64_t images_per_forward = 4);

// --teacher-cache auto: when cfg.teacher_cache (the resolved default path) is missing, builds it
// there exactly as `zkd-data teacher-logits` does (resumable, atomic) and returns true; an
// existing file is left as it is for the run to check (a mismatch is refused, never rebuilt over).
bool build_missing_teacher_cache(const TrainConfig& cfg);

// A loaded cache: read once into memory (moved to the run's device), checked against `expect`.
class TeacherCache {
 public:
  // Throws "teacher cache: expected ... got ..." for a corrupt or truncated file or a binding
  // that differs from expect (naming what differs).
  TeacherCache(const std::string& path, const CacheBinding& expect, Device device);
  const CacheBinding& binding() const { return binding_; }
  // The teacher's logits of the samples: [draws.size(), classes] into out (a [B', classes]
  // buffer with B' >= draws.size(), on the cache's device); returns the view of the first rows.
  // Queued on the device, no host synchronization; no allocation once the batch size is seen.
  Tensor gather(const std::vector<data::Loader::SampleDraw>& draws, Tensor& out) const;
  const Tensor& table() const { return table_; }  // float32 [images * 162, classes]

 private:
  CacheBinding binding_;
  Tensor table_;
  mutable Tensor rows_dev_;  // int64 [batch] row indices on the device (CUDA), reused
};

// The gather behind TeacherCache::gather: rows cache_row(draw) of table [R, k] into out
// [>= draws.size(), k] (table's device); returns the view of the first draws.size() rows. CPU:
// row copies. CUDA: the rows go up in one staged copy into rows_dev (int64 [>= draws.size()] on
// the device, allocated once by the caller) and one kernel gathers (kernels/gather_rows.h); no
// host synchronization either way. The caller checks the image indices.
Tensor gather_cache_rows(const Tensor& table, const std::vector<data::Loader::SampleDraw>& draws,
                         Tensor& out, Tensor& rows_dev);

// Whether path is an existing regular file that starts like a teacher-logit cache (its magic):
// output flags refuse to write over one (check_output_path).
bool is_teacher_cache_file(const std::string& path);

// Parses and checks a cache file's prefix and header; returns the binding and the data's offset.
// Exposed for the tests and the fuzzer.
CacheBinding parse_cache_header(const std::string& bytes, uint64_t file_size, uint64_t* data_offset,
                                const std::string& path);

}  // namespace zkd::app
