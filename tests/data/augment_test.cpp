// The training transform on the CPU backend, checked against a naive reference written here
// (pad to 40x40 with zeros, crop, mirror, normalize in double): crop offsets in [0, 8], a zero
// border before normalization, mirrored flips, the shuffle as a pure function of (seed, epoch),
// same seed -> same batch, another epoch or seed -> another batch, and the last partial batch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <set>

#include "datasets/augment.h"
#include "datasets/loader.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {

// The reference: image img [3, 32, 32] placed in a zero 40x40 canvas, 32x32 window at (dx, dy),
// then mirrored when flip. Returns uint8 [3, 32, 32].
static std::vector<uint8_t> reference_crop(const uint8_t* img, int dx, int dy, bool flip) {
  std::vector<uint8_t> padded(3 * 40 * 40, 0), out(3 * 32 * 32);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x)
        padded[(c * 40 + y + 4) * 40 + x + 4] = img[(c * 32 + y) * 32 + x];
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        uint8_t v = padded[(c * 40 + y + dy) * 40 + x + dx];
        out[(c * 32 + y) * 32 + (flip ? 31 - x : x)] = v;
      }
  return out;
}

static double reference_normalize(uint8_t v, int c) {
  return (v / 255.0 - static_cast<double>(kCifarMean[c])) / static_cast<double>(kCifarStd[c]);
}

TEST(Augment, DrawsCoverEveryOffsetAndFlipHalfTheTime) {
  std::set<int> dxs, dys;
  int flips = 0;
  const int kDraws = 4000;
  for (int i = 0; i < kDraws; ++i) {
    AugmentDraw d = augment_draw(123, 5, static_cast<uint64_t>(i));
    ASSERT_GE(d.dx, 0);
    ASSERT_LE(d.dx, 8);
    ASSERT_GE(d.dy, 0);
    ASSERT_LE(d.dy, 8);
    dxs.insert(d.dx);
    dys.insert(d.dy);
    flips += d.flip;
  }
  EXPECT_EQ(dxs.size(), 9u);
  EXPECT_EQ(dys.size(), 9u);
  // Binomial(4000, 0.5): sd 31.6; 150 is ~4.7 sd.
  EXPECT_NEAR(flips, kDraws / 2, 150);
  // The draw depends on seed, epoch and index.
  int same_seed = 0, same_epoch = 0;
  for (int i = 0; i < 200; ++i) {
    AugmentDraw a = augment_draw(123, 5, i), b = augment_draw(124, 5, i),
                c = augment_draw(123, 6, i);
    same_seed += a.dx == b.dx && a.dy == b.dy && a.flip == b.flip;
    same_epoch += a.dx == c.dx && a.dy == c.dy && a.flip == c.flip;
  }
  EXPECT_LT(same_seed, 20);  // chance agreement is 1/162 per image
  EXPECT_LT(same_epoch, 20);
}

TEST(Augment, FlipIsTheMirrorOfTheSameCrop) {
  ImageSet s = test::synthetic_set(1, 3);
  const uint8_t* img = s.images.data<uint8_t>();
  for (int dx : {0, 3, 8})
    for (int dy : {0, 5, 8})
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 32; ++y)
          for (int x = 0; x < 32; ++x)
            ASSERT_EQ(augment_pixel(img, c, y, x, {dx, dy, true}),
                      augment_pixel(img, c, y, 31 - x, {dx, dy, false}))
                << dx << " " << dy << " " << c << " " << y << " " << x;
}

// Every batch of an epoch equals the reference, and the padding (and only it) is zero.
TEST(Augment, TrainBatchesMatchTheReference) {
  const int64_t kN = 203, kB = 64;          // 3 full batches and one of 11
  ImageSet s = test::synthetic_set(kN, 4);  // pixels in [1, 255]: 0 only from the padding
  Loader loader(s, Device::cpu(), kB, /*seed=*/99, /*train=*/true);
  ASSERT_EQ(loader.num_batches(), 4);
  double max_err = 0;
  for (int64_t epoch : {0, 7}) {
    loader.start_epoch(epoch);
    std::vector<int64_t> order = loader.order();
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> iota(kN);
    std::iota(iota.begin(), iota.end(), int64_t(0));
    ASSERT_EQ(sorted, iota) << "the epoch order is a permutation";
    for (int64_t bi = 0; bi < loader.num_batches(); ++bi) {
      Batch b = loader.batch(bi);
      int64_t count = bi < 3 ? kB : 11;
      ASSERT_EQ(b.images.shape(), (Shape{count, 3, 32, 32}));
      ASSERT_EQ(b.labels.shape(), (Shape{count}));
      const float* out = b.images.data<float>();
      Tensor raw = denormalize_images(b.images);  // uint8 [count, 3, 32, 32]
      for (int64_t k = 0; k < count; ++k) {
        int64_t src = order[bi * kB + k];
        EXPECT_EQ(b.labels.data<int64_t>()[k], src % 100);
        AugmentDraw d = augment_draw(99, epoch, src);
        std::vector<uint8_t> want =
            reference_crop(s.images.data<uint8_t>() + src * 3072, d.dx, d.dy, d.flip);
        ASSERT_EQ(0, std::memcmp(raw.data<uint8_t>() + k * 3072, want.data(), 3072))
            << "epoch " << epoch << " batch " << bi << " item " << k << " (image " << src << ")";
        int zeros = 0;
        for (int i = 0; i < 3072; ++i) {
          int c = i / 1024;
          max_err =
              std::max(max_err, std::fabs(out[k * 3072 + i] - reference_normalize(want[i], c)));
          zeros += want[i] == 0;
        }
        // The zero border: (|dx - 4| columns + |dy - 4| rows of the window) x 3 channels.
        int ox = std::abs(d.dx - 4), oy = std::abs(d.dy - 4);
        EXPECT_EQ(zeros, 3 * (32 * 32 - (32 - ox) * (32 - oy))) << "image " << src;
      }
    }
  }
  // Measured: 2.2e-7 (the fma with rounded float scale and bias vs double); bound 1e-6.
  std::printf("max |normalized - double reference| = %.3g\n", max_err);
  EXPECT_LT(max_err, 1e-6);
}

TEST(Augment, TestBatchesAreOnlyNormalizedInOrder) {
  ImageSet s = test::synthetic_set(100, 5);
  Loader loader(s, Device::cpu(), 64, 1, /*train=*/false);
  loader.start_epoch(3);  // no effect on a test loader
  Batch b = loader.batch(1);
  ASSERT_EQ(b.size(), 36);
  Tensor raw = denormalize_images(b.images);
  EXPECT_EQ(0, std::memcmp(raw.data<uint8_t>(), s.images.data<uint8_t>() + 64 * 3072, 36 * 3072));
  EXPECT_EQ(b.labels.data<int64_t>()[0], 64);
  const float* out = b.images.data<float>();
  const uint8_t* px = s.images.data<uint8_t>() + 64 * 3072;
  for (int i = 0; i < 36 * 3072; ++i)
    ASSERT_NEAR(out[i], reference_normalize(px[i], (i / 1024) % 3), 1e-6) << i;
}

static std::vector<float> all_batches(Loader& l, int64_t epoch) {
  l.start_epoch(epoch);
  std::vector<float> v;
  for (int64_t i = 0; i < l.num_batches(); ++i) {
    std::vector<float> b = l.batch(i).images.to_vector<float>();
    v.insert(v.end(), b.begin(), b.end());
  }
  return v;
}

TEST(Augment, SameSeedSameBatchesOtherEpochOrSeedOther) {
  ImageSet s = test::synthetic_set(150, 6);
  Loader a(s, Device::cpu(), 32, 42), b(s, Device::cpu(), 32, 42), c(s, Device::cpu(), 32, 43);
  std::vector<float> a0 = all_batches(a, 0), a1 = all_batches(a, 1);
  EXPECT_EQ(a0, all_batches(b, 0));
  EXPECT_NE(a0, a1);
  EXPECT_NE(a0, all_batches(c, 0));
  // The shuffle of an epoch does not depend on the epochs visited before (resume).
  Loader fresh(s, Device::cpu(), 32, 42);
  EXPECT_EQ(all_batches(fresh, 1), a1);
  EXPECT_EQ(Loader::epoch_permutation(42, 1, 150), a.order());
  EXPECT_NE(Loader::epoch_permutation(42, 0, 150), Loader::epoch_permutation(42, 1, 150));
}

TEST(Augment, LastPartialBatchIsKept) {
  // 50,000 = 781 * 64 + 16, as in CIFAR-100's training set.
  ImageSet s = make_image_set(50000, false);
  s.class_names = {"only"};
  Loader loader(s, Device::cpu(), 64, 0);
  EXPECT_EQ(loader.num_batches(), 782);
  EXPECT_EQ(loader.batch(780).size(), 64);
  EXPECT_EQ(loader.batch(781).size(), 16);
  EXPECT_EQ(loader.batch(781).images.shape(), (Shape{16, 3, 32, 32}));
  std::string err = test::error_of([&] { loader.batch(782); });
  EXPECT_NE(err.find("[0, 782)"), std::string::npos) << err;
  // A batch larger than the set gives one batch of everything.
  ImageSet small = test::synthetic_set(10, 1);
  Loader one(small, Device::cpu(), 64, 0);
  EXPECT_EQ(one.num_batches(), 1);
  EXPECT_EQ(one.batch(0).size(), 10);
}

TEST(Augment, BatchBuffersAreReusedWithoutAllocation) {
  ImageSet s = test::synthetic_set(150, 2);
  Loader loader(s, Device::cpu(), 64, 3);
  void* images = loader.batch(0).images.raw();
  void* labels = loader.batch(0).labels.raw();
  for (int64_t i = 1; i < loader.num_batches(); ++i) {
    EXPECT_EQ(loader.batch(i).images.raw(), images);
    EXPECT_EQ(loader.batch(i).labels.raw(), labels);
  }
}

TEST(Augment, BadLoaderArgumentsAreErrors) {
  ImageSet s = test::synthetic_set(10, 1);
  std::string err = test::error_of([&] { Loader(s, Device::cpu(), 0, 0); });
  EXPECT_NE(err.find("batch size"), std::string::npos) << err;
  s.labels.data<int64_t>()[3] = 100;
  err = test::error_of([&] { Loader(s, Device::cpu(), 4, 0); });
  EXPECT_NE(err.find("at image 3"), std::string::npos) << err;
}

}  // namespace zkd::data
