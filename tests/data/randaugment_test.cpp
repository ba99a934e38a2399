// MLKD's strong view on the CPU: each of the 14 ops and Cutout against PIL (Debian python3-pil,
// through randaugment_pil.py) at several magnitudes, on real CIFAR-100 images when ZKD_CIFAR100
// is set and on synthetic edge-case images always; the whole view (crop, flip, two ops, Cutout)
// of many images against PIL with the same draws; the draws' distribution; the batch and Loader
// integration; and the CPU cost of a 64-image batch. PIL parts skip visibly when
// /usr/bin/python3 cannot import PIL and numpy.
//
// Tolerance: none. Every op is exact against PIL (0 differing values over all cases), because
// each step reproduces PIL's own arithmetic: integer LUTs and fixed-point affine maps, and for
// the blends, the smoothing filter, AutoContrast and the translations the same float / double
// operations in the same order (docs/randaugment.md). The one step not reproduced operation for
// operation is Rotate's sin / cos (PIL: libm cos / sin rounded to 15 decimals; ours: a Taylor
// series): the coefficients differ by a few units in the last place, which can change PIL's
// 16.16 fixed-point coefficients only when one lies within ~1e-9 of a rounding boundary; none
// of the angles tested here does, so Rotate is held to exact as well.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include "datasets/batch_png.h"
#include "datasets/loader.h"
#include "datasets/randaugment.h"
#include "stb_image.h"
#include "tests/common/python_torch.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {
namespace {

const char* kOpNames[kRaNumOps] = {
    "AutoContrast", "Brightness", "Color",  "Contrast", "Equalize", "Identity",   "Posterize",
    "Rotate",       "Sharpness",  "ShearX", "ShearY",   "Solarize", "TranslateX", "TranslateY"};

std::string cifar_path() {
  const char* p = std::getenv("ZKD_CIFAR100");
  return p && *p ? p : "";
}

// A PIL job for randaugment_pil.py.
struct Job {
  int image = 0;
  int crop[3] = {-1, 0, 0};  // dx, dy, flip; dx < 0: none
  std::vector<std::pair<int, double>> ops;
  bool has_cutout = false;
  double cutout[3] = {0, 0, 0};  // v, cx, cy
};

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Runs the PIL script on images (uint8 [N, 3, 32, 32]) and jobs; returns uint8 [jobs, 3, 32, 32].
std::vector<uint8_t> run_pil(const std::vector<uint8_t>& images, const std::vector<Job>& jobs) {
  test::TempDir dir;
  test::write_bytes(dir / "images.u8", std::string(images.begin(), images.end()));
  std::ostringstream js;
  js << "[";
  for (size_t j = 0; j < jobs.size(); ++j) {
    const Job& job = jobs[j];
    js << (j ? "," : "") << "{\"image\":" << job.image << ",\"crop\":";
    if (job.crop[0] >= 0)
      js << "[" << job.crop[0] << "," << job.crop[1] << "," << job.crop[2] << "]";
    else
      js << "null";
    js << ",\"ops\":[";
    for (size_t k = 0; k < job.ops.size(); ++k)
      js << (k ? "," : "") << "[" << job.ops[k].first << "," << num(job.ops[k].second) << "]";
    js << "],\"cutout\":";
    if (job.has_cutout)
      js << "[" << num(job.cutout[0]) << "," << num(job.cutout[1]) << "," << num(job.cutout[2])
         << "]";
    else
      js << "null";
    js << "}";
  }
  js << "]";
  test::write_bytes(dir / "jobs.json", js.str());
  std::string cmd = "/usr/bin/python3 '" ZKD_RANDAUGMENT_PIL_SCRIPT "' '" + (dir / "images.u8") +
                    "' '" + (dir / "jobs.json") + "' '" + (dir / "out.u8") + "' 2>&1";
  int status = std::system(cmd.c_str());
  EXPECT_EQ(status, 0) << cmd;
  std::string out = test::read_bytes(dir / "out.u8");
  EXPECT_EQ(out.size(), jobs.size() * kImagePixels);
  return std::vector<uint8_t>(out.begin(), out.end());
}

// Test images: synthetic edge cases (always) and real CIFAR-100 test images (when available).
std::vector<uint8_t> test_images(int* n_real) {
  std::vector<uint8_t> imgs;
  auto add = [&](auto pixel) {
    for (int i = 0; i < kImagePixels; ++i) imgs.push_back(static_cast<uint8_t>(pixel(i)));
  };
  ImageSet noise = test::synthetic_set(2, 77);
  const uint8_t* p = noise.images.data<uint8_t>();
  imgs.insert(imgs.end(), p, p + 2 * kImagePixels);    // uniform noise in [1, 255]
  add([](int) { return 77; });                         // constant
  add([](int i) { return (i % 32) < 16 ? 3 : 250; });  // two values
  add([](int i) { return (i % 1024) / 4; });           // a ramp 0..255
  add([](int i) { return i / 1024 == 1 ? 255 - (i % 97) : (i * 7) % 29 + 100; });  // narrow ranges
  *n_real = 0;
  if (!cifar_path().empty()) {
    ImageSet real = load_cifar100_split(cifar_path(), "test");
    const int kReal = 24;
    const uint8_t* r = real.images.data<uint8_t>();
    for (int k = 0; k < kReal; ++k) {  // spread over the classes (test.bin is class by class)
      const uint8_t* img = r + static_cast<int64_t>(k) * 397 * kImagePixels;
      imgs.insert(imgs.end(), img, img + kImagePixels);
    }
    *n_real = kReal;
  }
  return imgs;
}

// Magnitudes per op: both ends of the range, fixed interior values and seeded random ones.
std::vector<double> magnitudes(int op) {
  double lo = ra_range_lo(op), hi = ra_range_hi(op);
  std::vector<double> m = {lo, std::nextafter(hi, lo), lo + 0.25 * (hi - lo), lo + 0.5 * (hi - lo)};
  if (op == kRaSolarize) m.insert(m.end(), {1.5, 128.0, 200.3});
  if (op == kRaPosterize) m.insert(m.end(), {5.0, 6.999, 7.0});
  if (op == kRaRotate) m.insert(m.end(), {-17.3, 0.1, 12.345, 29.99});
  Generator gen(1000 + op);
  for (int k = 0; k < 4; ++k) m.push_back(ra_magnitude(op, gen.uniform()));
  return m;
}

TEST(RandAugmentPil, EveryOpMatchesPilExactly) {
  ZKD_REQUIRE_PYTHON("PIL, numpy", "the PIL comparison");
  int n_real = 0;
  std::vector<uint8_t> imgs = test_images(&n_real);
  if (n_real == 0)
    std::printf(
        "[randaugment] ZKD_CIFAR100 is not set: synthetic images only (set it to also "
        "compare on real CIFAR-100 images)\n");
  const int n = static_cast<int>(imgs.size() / kImagePixels);
  std::vector<Job> jobs;
  std::vector<uint8_t> ours;
  uint8_t out[kImagePixels];
  for (int op = 0; op < kRaNumOps; ++op)
    for (double m : magnitudes(op))
      for (int i = 0; i < n; ++i) {
        Job j;
        j.image = i;
        j.ops = {{op, m}};
        jobs.push_back(j);
        randaugment_op(op, m, &imgs[static_cast<size_t>(i) * kImagePixels], out);
        ours.insert(ours.end(), out, out + kImagePixels);
      }
  std::vector<uint8_t> pil = run_pil(imgs, jobs);
  ASSERT_EQ(pil.size(), ours.size());
  std::vector<int64_t> wrong(kRaNumOps, 0), changed(kRaNumOps, 0);
  for (size_t j = 0; j < jobs.size(); ++j) {
    int op = jobs[j].ops[0].first;
    const uint8_t* src = &imgs[static_cast<size_t>(jobs[j].image) * kImagePixels];
    for (int k = 0; k < kImagePixels; ++k) {
      size_t at = j * kImagePixels + k;
      if (ours[at] != pil[at]) {
        if (wrong[op] == 0)
          ADD_FAILURE() << kOpNames[op] << " magnitude " << num(jobs[j].ops[0].second) << " image "
                        << jobs[j].image << " value " << k << ": ours " << int(ours[at]) << ", PIL "
                        << int(pil[at]);
        ++wrong[op];
      }
      changed[op] += pil[at] != src[k];
    }
  }
  for (int op = 0; op < kRaNumOps; ++op) {
    std::printf(
        "[randaugment] %-12s %zu magnitudes x %d images: %lld values differ from PIL, "
        "%lld changed by the op\n",
        kOpNames[op], magnitudes(op).size(), n, static_cast<long long>(wrong[op]),
        static_cast<long long>(changed[op]));
    EXPECT_EQ(wrong[op], 0) << kOpNames[op];
    if (op != kRaIdentity) {
      EXPECT_GT(changed[op], 0) << kOpNames[op] << " changed nothing";
    }
  }
}

TEST(RandAugmentPil, CutoutMatchesPilExactly) {
  ZKD_REQUIRE_PYTHON("PIL, numpy", "the PIL comparison");
  ImageSet s = test::synthetic_set(1, 5);
  std::vector<uint8_t> img(s.images.data<uint8_t>(), s.images.data<uint8_t>() + kImagePixels);
  std::vector<std::array<double, 3>> cases = {
      {0.0, 16, 16},          {1e-9, 16, 16},   {0.01, 1.0000001, 1.0000001},    {0.25, 32, 32},
      {0.4999999, 1.5, 31.9}, {0.3, 8.2, 20.7}, {0.5 * 31.0 / 32.0, 16.0, 16.0}, {0.125, 4.0, 4.0},
      {0.0625, 31.99, 2.5}};
  Generator gen(9);
  for (int k = 0; k < 40; ++k)
    cases.push_back(
        {0.5 * gen.uniform(), 32.0 - 31.0 * gen.uniform(), 32.0 - 31.0 * gen.uniform()});
  std::vector<Job> jobs;
  std::vector<uint8_t> ours;
  for (const auto& c : cases) {
    Job j;
    j.has_cutout = true;
    std::copy(c.begin(), c.end(), j.cutout);
    jobs.push_back(j);
    std::vector<uint8_t> v = img;
    cutout(c[0], c[1], c[2], v.data());
    ours.insert(ours.end(), v.begin(), v.end());
  }
  std::vector<uint8_t> pil = run_pil(img, jobs);
  for (size_t j = 0; j < jobs.size(); ++j)
    EXPECT_EQ(0, std::memcmp(&ours[j * kImagePixels], &pil[j * kImagePixels], kImagePixels))
        << "cutout v=" << num(cases[j][0]) << " cx=" << num(cases[j][1])
        << " cy=" << num(cases[j][2]);
}

// The whole view: crop + flip, two ops and Cutout with our draws, against PIL given the same.
TEST(RandAugmentPil, StrongViewMatchesPilWithTheSameDraws) {
  ZKD_REQUIRE_PYTHON("PIL, numpy", "the PIL comparison");
  int n_real = 0;
  std::vector<uint8_t> imgs = test_images(&n_real);
  const int n = static_cast<int>(imgs.size() / kImagePixels);
  std::vector<Job> jobs;
  std::vector<uint8_t> ours;
  uint8_t out[kImagePixels];
  for (uint64_t epoch : {0ull, 3ull})
    for (int rep = 0; rep < 20; ++rep)
      for (int i = 0; i < n; ++i) {
        uint64_t index = static_cast<uint64_t>(i + n * rep);  // many draws per image
        RaDraw d = ra_draw(42, epoch, index);
        Job j;
        j.image = i;
        j.crop[0] = d.crop.dx;
        j.crop[1] = d.crop.dy;
        j.crop[2] = d.crop.flip;
        j.ops = {{d.op[0], d.mag[0]}, {d.op[1], d.mag[1]}};
        j.has_cutout = true;
        j.cutout[0] = d.cutout;
        j.cutout[1] = d.cx;
        j.cutout[2] = d.cy;
        jobs.push_back(j);
        strong_view_image(&imgs[static_cast<size_t>(i) * kImagePixels], 42, epoch, index, out);
        ours.insert(ours.end(), out, out + kImagePixels);
      }
  std::vector<uint8_t> pil = run_pil(imgs, jobs);
  ASSERT_EQ(pil.size(), ours.size());
  int64_t wrong = 0;
  for (size_t k = 0; k < ours.size(); ++k) wrong += ours[k] != pil[k];
  std::printf("[randaugment] %zu strong views (%d real images): %lld values differ from PIL\n",
              jobs.size(), n_real, static_cast<long long>(wrong));
  EXPECT_EQ(wrong, 0);
}

TEST(RandAugment, DrawsFollowTheOfficialDistributions) {
  const int kN = 28000;
  std::vector<int> count(kRaNumOps, 0);
  int same_crop = 0, cut = 0;
  for (int i = 0; i < kN; ++i) {
    RaDraw d = ra_draw(7, 2, static_cast<uint64_t>(i));
    for (int k = 0; k < kRaOpsPerImage; ++k) {
      ASSERT_GE(d.op[k], 0);
      ASSERT_LT(d.op[k], kRaNumOps);
      ++count[d.op[k]];
      EXPECT_GE(d.mag[k], ra_range_lo(d.op[k]));
      EXPECT_LT(d.mag[k], ra_range_hi(d.op[k]));
    }
    ASSERT_TRUE(d.cutout >= 0.0 && d.cutout < 0.5) << d.cutout;
    ASSERT_TRUE(d.cx > 1.0 && d.cx <= 32.0 && d.cy > 1.0 && d.cy <= 32.0) << d.cx << " " << d.cy;
    AugmentDraw w = augment_draw(7, 2, static_cast<uint64_t>(i));
    same_crop += w.dx == d.crop.dx && w.dy == d.crop.dy && w.flip == d.crop.flip;
    RaBox b = ra_cutout_box(d.cutout, d.cx, d.cy);
    cut += b.x1 >= b.x0;
  }
  // Each op is drawn with p = 1/14: 2 kN / 14 = 4000 expected, sd 61; 5 sd bounds.
  for (int op = 0; op < kRaNumOps; ++op) EXPECT_NEAR(count[op], 4000, 310) << kOpNames[op];
  // Independent weak and strong crops agree with p = 1/162 (81 offsets x 2 flips): ~173, sd 13.
  EXPECT_NEAR(same_crop, kN / 162.0, 70);
  EXPECT_EQ(cut, kN);  // v = 0 has probability 2^-53
  // Another seed, epoch or index gives other draws.
  RaDraw a = ra_draw(7, 2, 5), b = ra_draw(8, 2, 5), c = ra_draw(7, 3, 5);
  EXPECT_NE(a.mag[0], b.mag[0]);
  EXPECT_NE(a.mag[0], c.mag[0]);
}

TEST(RandAugment, OpRejectsABadId) {
  uint8_t a[kImagePixels] = {0}, b[kImagePixels];
  std::string msg = test::error_of([&] { randaugment_op(14, 0.5, a, b); });
  EXPECT_NE(msg.find("expected an op id in [0, 14), got 14"), std::string::npos) << msg;
}

TEST(RandAugment, LoaderStrongViewIsTheNormalizedPerImageView) {
  ImageSet s = test::synthetic_set(150, 31);
  Loader plain(s, Device::cpu(), 64, 11);
  EXPECT_FALSE(plain.batch(0).strong_images.defined());
  Loader loader(s, Device::cpu(), 64, 11);
  loader.enable_strong_view();
  EXPECT_TRUE(loader.strong_view());
  loader.start_epoch(4);
  AugmentParams p = make_augment_params(11, 4, true);
  void* first = nullptr;
  for (int64_t i = 0; i < loader.num_batches(); ++i) {
    Batch b = loader.batch(i);
    ASSERT_TRUE(b.strong_images.defined());
    ASSERT_EQ(b.strong_images.shape(), b.images.shape());
    if (i == 0) first = b.strong_images.raw();
    EXPECT_EQ(b.strong_images.raw(), first);  // the buffer is allocated once
    const float* strong = b.strong_images.data<float>();
    const float* weak = b.images.data<float>();
    int64_t same = 0;
    uint8_t view[kImagePixels];
    for (int64_t k = 0; k < b.size(); ++k) {
      int64_t src = loader.order()[static_cast<size_t>(i * 64 + k)];
      strong_view_image(s.images.data<uint8_t>() + src * kImagePixels, 11, 4,
                        static_cast<uint64_t>(src), view);
      for (int v = 0; v < kImagePixels; ++v) {
        float want = augment_normalize(view[v], p.scale[v / kRaPixels], p.bias[v / kRaPixels]);
        ASSERT_EQ(strong[k * kImagePixels + v], want) << "batch " << i << " image " << k;
        same += strong[k * kImagePixels + v] == weak[k * kImagePixels + v];
      }
    }
    EXPECT_LT(same, b.size() * kImagePixels / 4) << "strong and weak views mostly equal";
  }
  EXPECT_EQ(loader.batch(2).strong_images.size(0), 150 - 128);  // the last partial batch
  // The labels and weak images are those of a loader without the strong view.
  plain.start_epoch(4);
  EXPECT_EQ(plain.batch(1).images.to_vector<float>(), loader.batch(1).images.to_vector<float>());
  Loader test_loader(s, Device::cpu(), 64, 11, false);
  std::string msg = test::error_of([&] { test_loader.enable_strong_view(); });
  EXPECT_NE(msg.find("expected a training loader"), std::string::npos) << msg;
}

// --dump-batch: each weak image with its strong view to its right (scale 1, 2 pairs per row).
TEST(RandAugment, DumpBatchShowsWeakAndStrongSideBySide) {
  ImageSet s = test::synthetic_set(3, 33);
  Loader loader(s, Device::cpu(), 3, 8);
  loader.enable_strong_view();
  Batch b = loader.batch(0);
  test::TempDir dir;
  write_batch_png(dir / "pairs.png", b, 2, 1);
  int w = 0, h = 0, comp = 0;
  unsigned char* p = stbi_load((dir / "pairs.png").c_str(), &w, &h, &comp, 3);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(w, 4 * 34 + 2);  // 4 columns of 32 + 2-pixel gutters
  EXPECT_EQ(h, 2 * 34 + 2);  // 6 tiles in 2 rows
  Tensor weak = denormalize_images(b.images), strong = denormalize_images(b.strong_images);
  int64_t bad = 0;
  for (int tile = 0; tile < 6; ++tile) {
    const uint8_t* src = (tile % 2 ? strong : weak).data<uint8_t>() + (tile / 2) * kImagePixels;
    int ox = 2 + (tile % 4) * 34, oy = 2 + (tile / 4) * 34;
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x)
          bad += p[((oy + y) * w + ox + x) * 3 + c] != src[(c * 32 + y) * 32 + x];
  }
  stbi_image_free(p);
  EXPECT_EQ(bad, 0);
  Loader weak_only(s, Device::cpu(), 3, 8);
  Batch plain = weak_only.batch(0);  // no strong view: the weak grid alone
  write_batch_png(dir / "weak.png", plain, 2, 1);
  p = stbi_load((dir / "weak.png").c_str(), &w, &h, &comp, 3);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(w, 3 * 34 + 2);
  EXPECT_EQ(h, 34 + 2);
  stbi_image_free(p);
}

TEST(RandAugment, CpuBatchOf64IsFast) {
  ImageSet s = test::synthetic_set(64 * 20, 32);
  Loader weak(s, Device::cpu(), 64, 3), both(s, Device::cpu(), 64, 3);
  both.enable_strong_view();
  // Process CPU time (the machine may be shared), per batch.
  auto per_batch_ms = [](Loader& l) {
    l.batch(0);
    std::clock_t t0 = std::clock();
    for (int64_t i = 0; i < l.num_batches(); ++i) l.batch(i);
    return 1000.0 * static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC /
           static_cast<double>(l.num_batches());
  };
  double weak_ms = per_batch_ms(weak), both_ms = per_batch_ms(both);
  std::printf(
      "[randaugment] CPU time per 64-image batch: %.2f ms weak view, %.2f ms weak + strong\n",
      weak_ms, both_ms);
  EXPECT_LT(both_ms, 20.0);  // ~2 ms measured; a wide bound for a loaded machine
}

}  // namespace
}  // namespace zkd::data
