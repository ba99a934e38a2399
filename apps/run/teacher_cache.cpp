// The teacher-logit cache: file format, builder, loader and per-batch gather (see teacher_cache.h
// and docs/teacher-cache.md).
#include "apps/run/teacher_cache.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "apps/config/version.h"
#include "apps/run/teacher.h"
#include "apps/run/trainer.h"
#include "datasets/augment.h"
#include "datasets/checksum.h"
#include "engine/autograd/grad_mode.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/json_limits.h"
#ifdef ZKD_WITH_CUDA
#include "engine/memory/gpu_launch.h"
#include "kernels/gather_rows.h"
#endif

namespace zkd::app {

namespace fs = std::filesystem;

namespace {
constexpr char kMagic[9] = "ZKDLOGIT";    // bytes 0-7
constexpr uint64_t kPrefix = 16;          // magic + uint64 LE header length
constexpr uint64_t kMaxHeader = 1 << 16;  // far above the ~600 bytes written
constexpr uint64_t kAlign = 64;           // the float data starts 64-byte aligned
constexpr int64_t kChunkImages = 256;     // images per resumable chunk of a build
constexpr int kVersion = 1;

const char* kLayout = "float32 little-endian [images, 81 offsets (dy * 9 + dx), 2 (flip), classes]";

uint64_t table_bytes(int64_t images, int64_t classes) {
  return static_cast<uint64_t>(images) * kCacheViews * static_cast<uint64_t>(classes) * 4;
}

// Magic, header length and the header JSON padded with spaces to the data's alignment.
std::string file_prefix(const CacheBinding& b) {
  nlohmann::ordered_json h;
  h["format"] = "zkd-teacher-logits";
  h["version"] = kVersion;
  h["teacher_sha256"] = b.teacher_sha256;
  h["teacher_model"] = b.teacher_model;
  h["data_sha256"] = b.data_sha256;
  h["classes"] = b.classes;
  h["images"] = b.images;
  h["pad"] = kAugmentPad;
  h["crop"] = 32;
  h["flips"] = 2;
  h["offsets"] = kCacheOffsets;
  h["fill"] = 0;
  h["mean"] = {data::kCifarMean[0], data::kCifarMean[1], data::kCifarMean[2]};
  h["std"] = {data::kCifarStd[0], data::kCifarStd[1], data::kCifarStd[2]};
  h["layout"] = kLayout;
  h["zkd_version"] = version();
  std::string text = h.dump();
  text.resize(((kPrefix + text.size() + kAlign - 1) / kAlign) * kAlign - kPrefix, ' ');
  std::string out(kMagic, 8);
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + text;
}

bool little_endian() {
  const uint32_t one = 1;
  unsigned char c;
  std::memcpy(&c, &one, 1);
  return c == 1;
}

template <typename T>
T header_value(const nlohmann::json& h, const char* key, const std::string& path) {
  ZKD_CHECK(h.contains(key), "teacher cache", "expected the header of '", path, "' to hold '", key,
            "', got none (not a teacher-logit cache?)");
  const nlohmann::json& v = h[key];
  if constexpr (std::is_same_v<T, std::string>) {
    ZKD_CHECK(v.is_string(), "teacher cache", "expected a string for '", key, "' in '", path,
              "', got ", json_brief(v));
  } else {
    ZKD_CHECK(v.is_number_integer(), "teacher cache", "expected an integer for '", key, "' in '",
              path, "', got ", json_brief(v));
  }
  return v.get<T>();
}

// Reads exactly n bytes (an error naming the file when it ends first).
void read_exact(InputFile& f, char* dst, uint64_t n, const std::string& path) {
  while (n > 0) {
    size_t got = f.read_some(dst, static_cast<size_t>(std::min<uint64_t>(n, 1 << 26)));
    ZKD_CHECK(got > 0, "teacher cache", "expected more bytes in '", path,
              "', got the end of the file (truncated)");
    dst += got;
    n -= got;
  }
}
}  // namespace

std::string image_set_sha256(const data::ImageSet& set) {
  Tensor images = set.images.contiguous(), labels = set.labels.contiguous();
  std::string bytes(reinterpret_cast<const char*>(images.data<uint8_t>()),
                    static_cast<size_t>(images.numel()));
  bytes.append(reinterpret_cast<const char*>(labels.data<int64_t>()),
               static_cast<size_t>(labels.numel()) * sizeof(int64_t));
  return data::sha256_hex(bytes);
}

CacheBinding cache_binding(const TrainConfig& cfg, const data::ImageSet& train) {
  CacheBinding b;
  b.teacher_sha256 = data::file_digests(cfg.teacher_checkpoint).sha256;
  b.teacher_model = cfg.teacher_model;
  b.data_sha256 = image_set_sha256(train);
  b.classes = cfg.num_classes;
  b.images = train.size();
  return b;
}

bool is_teacher_cache_file(const std::string& path) {
  if (file_kind(path) != "a regular file") return false;
  try {
    InputFile f(path, "teacher cache", kNoSizeCap);
    char head[8];
    return f.size() >= 8 && f.read_some(head, 8) == 8 && std::memcmp(head, kMagic, 8) == 0;
  } catch (const std::exception&) {
    return false;  // unreadable: not known to be a cache (the caller's own checks apply)
  }
}

CacheBinding parse_cache_header(const std::string& bytes, uint64_t file_size, uint64_t* data_offset,
                                const std::string& path) {
  ZKD_CHECK(bytes.size() >= kPrefix && std::memcmp(bytes.data(), kMagic, 8) == 0, "teacher cache",
            "expected a teacher-logit cache starting with '", kMagic, "' in '", path,
            "', got another file (build one with zkd-data teacher-logits)");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  ZKD_CHECK(n <= kMaxHeader && kPrefix + n <= bytes.size(), "teacher cache",
            "expected a header of at most ", kMaxHeader, " bytes within '", path, "', got ", n,
            " bytes (corrupt or truncated)");
  nlohmann::json h = parse_json_limited(bytes.substr(kPrefix, n), "teacher cache", kMaxHeader);
  ZKD_CHECK(h.is_object(), "teacher cache", "expected a JSON object header in '", path, "'");
  ZKD_CHECK(header_value<std::string>(h, "format", path) == "zkd-teacher-logits", "teacher cache",
            "expected format zkd-teacher-logits in '", path, "', got ", json_brief(h["format"]));
  int64_t v = header_value<int64_t>(h, "version", path);
  ZKD_CHECK(v == kVersion, "teacher cache", "expected version ", kVersion, " in '", path, "', got ",
            v, " (rebuild it with this zkd)");
  // The augmentation the loader draws from (kernels/augment.h).
  const std::pair<const char*, int64_t> aug[] = {
      {"pad", kAugmentPad}, {"crop", 32}, {"flips", 2}, {"offsets", kCacheOffsets}, {"fill", 0}};
  for (auto& [key, want] : aug) {
    int64_t got = header_value<int64_t>(h, key, path);
    ZKD_CHECK(got == want, "teacher cache", "expected augmentation ", key, " ", want, " in '", path,
              "', got ", got, " (a cache of another augmentation)");
  }
  CacheBinding b;
  b.teacher_sha256 = header_value<std::string>(h, "teacher_sha256", path);
  b.teacher_model = header_value<std::string>(h, "teacher_model", path);
  b.data_sha256 = header_value<std::string>(h, "data_sha256", path);
  b.classes = header_value<int64_t>(h, "classes", path);
  b.images = header_value<int64_t>(h, "images", path);
  ZKD_CHECK(
      b.classes >= 2 && b.classes <= (1 << 20) && b.images >= 1 && b.images < (int64_t(1) << 32),
      "teacher cache", "expected 2 to 2^20 classes and 1 to 2^32 - 1 images in '", path, "', got ",
      b.classes, " and ", b.images);
  const uint64_t want = kPrefix + n + table_bytes(b.images, b.classes);
  ZKD_CHECK(file_size == want, "teacher cache", "expected ", want, " bytes in '", path, "' (",
            b.images, " images x 162 views x ", b.classes, " classes of float32), got ", file_size,
            file_size < want ? " (truncated)" : " (trailing bytes)");
  *data_offset = kPrefix + n;
  return b;
}

TeacherCache::TeacherCache(const std::string& path, const CacheBinding& expect, Device device) {
  ZKD_CHECK(little_endian(), "teacher cache",
            "expected a little-endian host, got a big-endian one");
  InputFile f(path, "teacher cache", kNoSizeCap);
  std::string head(static_cast<size_t>(std::min<uint64_t>(f.size(), kPrefix + kMaxHeader)), '\0');
  read_exact(f, head.data(), head.size(), path);
  uint64_t offset = 0;
  binding_ = parse_cache_header(head, f.size(), &offset, path);
  auto differs = [&](const char* what, const std::string& want, const std::string& got,
                     const char* hint) {
    ZKD_CHECK(want == got, "teacher cache", "expected ", what, " ", want, ", got ", got, " in '",
              path, "' (", hint, ")");
  };
  differs("teacher checkpoint sha256", expect.teacher_sha256, binding_.teacher_sha256,
          "a cache of another teacher checkpoint");
  differs("teacher model", expect.teacher_model, binding_.teacher_model, "another teacher model");
  differs("classes", std::to_string(expect.classes), std::to_string(binding_.classes),
          "another --num-classes");
  differs("training images", std::to_string(expect.images), std::to_string(binding_.images),
          "another --num-classes or --train-per-class");
  differs("training-set sha256", expect.data_sha256, binding_.data_sha256,
          "another data set or subset");
  // The table straight into its tensor (no second copy): the rest of `head`, then the file.
  Tensor host = Tensor::empty({binding_.images * kCacheViews, binding_.classes}, DType::F32);
  char* dst = reinterpret_cast<char*>(host.data<float>());
  const uint64_t total = table_bytes(binding_.images, binding_.classes);
  const uint64_t in_head = std::min<uint64_t>(head.size() - offset, total);
  std::memcpy(dst, head.data() + offset, static_cast<size_t>(in_head));
  read_exact(f, dst + in_head, total - in_head, path);
  table_ = host.to(device);
}

Tensor gather_cache_rows(const Tensor& table, const std::vector<data::Loader::SampleDraw>& draws,
                         Tensor& out, Tensor& rows_dev) {
  const int64_t k = table.size(1), n = static_cast<int64_t>(draws.size());
  ZKD_CHECK(out.dim() == 2 && out.size(0) >= n && out.size(1) == k, "gather_cache_rows",
            "expected a [>= ", n, ", ", k, "] buffer, got ", shape_str(out.shape()));
  if (table.device().is_cuda()) {
#ifdef ZKD_WITH_CUDA
    ZKD_CHECK(rows_dev.defined() && rows_dev.size(0) >= n, "gather_cache_rows",
              "expected a row buffer of at least ", n, " on the device");
    std::vector<int64_t> rows(static_cast<size_t>(n));
    for (int64_t b = 0; b < n; ++b)
      rows[static_cast<size_t>(b)] =
          cache_row(draws[static_cast<size_t>(b)].image, draws[static_cast<size_t>(b)].draw);
    rows_dev.view_at(0, {n}).copy_from(from_vector(rows, {n}));  // staged: rows may go at once
    gather_rows_fwd(table.data<float>(), rows_dev.data<int64_t>(), n, k, out.data<float>(),
                    gpu::compute_stream());
    ZKD_GPU_LAUNCH_CHECK("gather_rows_kernel");
#else
    (void)rows_dev;
#endif
  } else {
    for (int64_t b = 0; b < n; ++b) {
      const int64_t row =
          cache_row(draws[static_cast<size_t>(b)].image, draws[static_cast<size_t>(b)].draw);
      out.view_at(b * k, {k}).copy_from(table.view_at(row * k, {k}));
    }
  }
  return n == out.size(0) ? out : out.view_at(0, {n, k});
}

Tensor TeacherCache::gather(const std::vector<data::Loader::SampleDraw>& draws, Tensor& out) const {
  for (const data::Loader::SampleDraw& s : draws)
    ZKD_CHECK(s.image >= 0 && s.image < binding_.images, "TeacherCache::gather",
              "expected an image index below ", binding_.images, ", got ", s.image);
  const int64_t n = static_cast<int64_t>(draws.size());
  if (table_.device().is_cuda() && (!rows_dev_.defined() || rows_dev_.size(0) < n))
    rows_dev_ = Tensor::empty({n}, DType::I64, table_.device());
  return gather_cache_rows(table_, draws, out, rows_dev_);
}

std::string default_cache_path(const std::string& teacher_checkpoint, int64_t classes,
                               int64_t train_per_class) {
  return (fs::path(teacher_checkpoint).parent_path() /
          ("teacher-logits-" + std::to_string(classes) + "c" +
           (train_per_class > 0 ? "-" + std::to_string(train_per_class) + "pc" : "") + ".bin"))
      .string();
}

Tensor teacher_view_logits(Module& teacher, const data::ImageSet& train, int64_t first,
                           int64_t count, int64_t images_per_forward, Device dev, DType dtype) {
  ZKD_CHECK(images_per_forward >= 1, "teacher-logits",
            "expected at least 1 image per forward, got ", images_per_forward);
  ZKD_CHECK(first >= 0 && count >= 1 && first + count <= train.size(), "teacher-logits",
            "expected images within [0, ", train.size(), "), got [", first, ", ", first + count,
            ")");
  const int64_t fwd = std::min(images_per_forward, count);
  Tensor in = Tensor::empty({fwd * kCacheViews, 3, 32, 32}, DType::F32);  // float32 views
  const AugmentParams p = data::make_augment_params(0, 0, true);
  const Tensor images = train.images.contiguous();
  const uint8_t* px = images.data<uint8_t>();
  NoGradGuard no_grad;
  Tensor out;  // [count * 162, k]
  for (int64_t i = 0; i < count; i += fwd) {
    const int64_t m = std::min(fwd, count - i);
    for (int64_t j = 0; j < m; ++j)
      for (int64_t v = 0; v < kCacheViews; ++v) {
        const int64_t off = v / 2;
        AugmentDraw d{static_cast<int>(off % 9), static_cast<int>(off / 9), (v % 2) != 0};
        data::augment_image_cpu(px + (first + i + j) * data::kImagePixels, &d, p,
                                in.data<float>() + (j * kCacheViews + v) * data::kImagePixels);
      }
    Tensor x = m == fwd ? in : in.view_at(0, {m * kCacheViews, 3, 32, 32});
    Tensor logits = teacher(Variable(x.to(dtype).to(dev))).data().to(Device::cpu()).contiguous();
    ZKD_CHECK(logits.dim() == 2 && logits.size(0) == m * kCacheViews, "teacher-logits",
              "expected [", m * kCacheViews, ", classes] logits from the teacher, got ",
              shape_str(logits.shape()));
    if (!out.defined()) out = Tensor::empty({count * kCacheViews, logits.size(1)}, logits.dtype());
    out.view_at(i * kCacheViews * logits.size(1), {m * kCacheViews, logits.size(1)})
        .copy_from(logits);
  }
  return out;
}

void build_teacher_cache(const TrainConfig& cfg, const data::ImageSet& train,
                         const std::string& out, int64_t images_per_forward) {
  ZKD_CHECK(images_per_forward >= 1, "teacher-logits",
            "expected at least 1 image per forward, got ", images_per_forward);
  const CacheBinding b = cache_binding(cfg, train);
  const std::string prefix = file_prefix(b);
  const Device dev = pick_device(cfg.device);
  std::shared_ptr<Module> teacher = load_teacher(cfg, dev);
  // Resumable chunks: "<out>.partial/header" (the prefix, so a resume checks the binding) and
  // chunk-<first image>.bin, each written atomically.
  const fs::path partial = out + ".partial";
  std::error_code ec;
  const std::string header_file = (partial / "header").string();
  bool resume = fs::is_regular_file(header_file, ec) &&
                read_file(header_file, "teacher-logits", kMaxHeader + kPrefix) == prefix;
  if (!resume) {
    fs::remove_all(partial, ec);
    fs::create_directories(partial);
    write_file_atomic(header_file, prefix);
  }
  const int64_t n = b.images, k = b.classes, per_image = kCacheViews * k;
  auto t0 = std::chrono::steady_clock::now();
  int64_t computed = 0;
  for (int64_t first = 0; first < n; first += kChunkImages) {
    const int64_t count = std::min(kChunkImages, n - first);
    const std::string chunk = (partial / ("chunk-" + std::to_string(first) + ".bin")).string();
    const uint64_t chunk_bytes = static_cast<uint64_t>(count * per_image) * 4;
    if (resume && fs::is_regular_file(chunk, ec) && fs::file_size(chunk, ec) == chunk_bytes)
      continue;  // done before the interruption
    Tensor logits =
        teacher_view_logits(*teacher, train, first, count, images_per_forward, dev, DType::F32)
            .to(DType::F32)
            .contiguous();
    ZKD_CHECK(logits.size(1) == k, "teacher-logits", "expected [", count * kCacheViews, ", ", k,
              "] logits from the teacher, got ", shape_str(logits.shape()));
    std::string bytes(reinterpret_cast<const char*>(logits.data<float>()),
                      static_cast<size_t>(chunk_bytes));
    write_file_atomic(chunk, bytes);
    computed += count;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = computed / std::max(secs, 1e-9);
    std::printf("teacher-logits: %lld / %lld images (x 162 views), %.1f images/s, ETA %.0f s\n",
                static_cast<long long>(first + count), static_cast<long long>(n), rate,
                (n - first - count) / std::max(rate, 1e-9));
    std::fflush(stdout);
  }
  // The finished file in one atomic write streamed chunk by chunk (never the whole table in
  // memory: 3.2 GB for CIFAR-100), then the chunks go.
  AtomicFileWriter file(out);
  file.append(prefix);
  uint64_t written = 0;
  for (int64_t first = 0; first < n; first += kChunkImages) {
    const int64_t count = std::min(kChunkImages, n - first);
    const std::string chunk =
        read_file((partial / ("chunk-" + std::to_string(first) + ".bin")).string(),
                  "teacher-logits", static_cast<uint64_t>(count * per_image) * 4);
    file.append(chunk);
    written += chunk.size();
  }
  ZKD_CHECK(written == table_bytes(n, k), "teacher-logits", "expected ", table_bytes(n, k),
            " bytes of logits in ", partial.string(), ", got ", written,
            " (a chunk changed while building?)");
  file.commit();
  fs::remove_all(partial, ec);
  std::printf("teacher-logits: wrote %s (%lld images x 162 views x %lld classes, %.1f MB)\n",
              out.c_str(), static_cast<long long>(n), static_cast<long long>(k),
              static_cast<double>(prefix.size() + written) / 1e6);
}

bool build_missing_teacher_cache(const TrainConfig& cfg) {
  std::error_code ec;
  if (fs::exists(cfg.teacher_cache, ec)) return false;  // the run checks it (never rebuilt over)
  std::printf("zkd: --teacher-cache auto: building %s (once per teacher and subset)\n",
              cfg.teacher_cache.c_str());
  std::fflush(stdout);
  build_teacher_cache(cfg, load_run_data(cfg).train, cfg.teacher_cache);
  return true;
}

}  // namespace zkd::app
