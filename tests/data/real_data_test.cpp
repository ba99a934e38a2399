// The real CIFAR-100 when ZKD_CIFAR100 points at the extracted folder (or the .tar.gz): record
// counts, 500 / 100 images per fine class, the known first labels, the names, and the train
// mean and std per channel. Skips visibly when the variable is not set.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "datasets/archive.h"
#include "datasets/cifar100.h"
#include "datasets/fetch.h"
#include "datasets/loader.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {

static std::string real_path() {
  const char* p = std::getenv("ZKD_CIFAR100");
  return p && *p ? p : "";
}

#define ZKD_REQUIRE_CIFAR100()                                                                  \
  if (real_path().empty())                                                                      \
  GTEST_SKIP() << "ZKD_CIFAR100 is not set: point it at the extracted cifar-100-binary folder " \
                  "(or the .tar.gz) to run the real-data checks"

TEST(RealCifar100, CountsLabelsNamesAndChannelStatistics) {
  ZKD_REQUIRE_CIFAR100();
  Cifar100 d = load_cifar100(real_path());
  ASSERT_EQ(d.train.size(), 50000);
  ASSERT_EQ(d.test.size(), 10000);
  for (int64_t c : class_counts(d.train)) EXPECT_EQ(c, 500);
  for (int64_t c : class_counts(d.test)) EXPECT_EQ(c, 100);
  ImageSet coarse_view = d.train;
  coarse_view.labels = d.train.coarse_labels;
  coarse_view.class_names = d.train.coarse_names;
  for (int64_t c : class_counts(coarse_view)) EXPECT_EQ(c, 2500);

  EXPECT_EQ(d.train.class_names, cifar100_fine_names());
  EXPECT_EQ(d.train.coarse_names.front(), "aquatic_mammals");
  EXPECT_EQ(d.train.coarse_names.back(), "vehicles_2");
  // The official order: record 0 is cattle (fine 19, coarse 11); then 29, 0, 11, 1.
  std::vector<int64_t> fine = d.train.labels.to_vector<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(fine.begin(), fine.begin() + 5),
            (std::vector<int64_t>{19, 29, 0, 11, 1}));
  EXPECT_EQ(d.train.coarse_labels.to_vector<int64_t>()[0], 11);

  // Per-channel mean and std over all train pixels, in double.
  const double kMean[3] = {0.5071, 0.4865, 0.4409}, kStd[3] = {0.2673, 0.2564, 0.2762};
  const uint8_t* px = d.train.images.data<uint8_t>();
  for (int c = 0; c < 3; ++c) {
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < 50000; ++i)
      for (int j = 0; j < 1024; ++j) {
        double v = px[i * 3072 + c * 1024 + j] / 255.0;
        s += v;
        s2 += v * v;
      }
    double n = 50000.0 * 1024, mean = s / n, std = std::sqrt(s2 / n - mean * mean);
    std::printf("channel %d: mean %.5f std %.5f\n", c, mean, std);
    EXPECT_NEAR(mean, kMean[c], 5e-4) << "channel " << c;  // 3 decimals
    EXPECT_NEAR(std, kStd[c], 5e-4) << "channel " << c;
  }
}

TEST(RealCifar100, MemberDigestsAreAcceptedByTheFetchCheck) {
  ZKD_REQUIRE_CIFAR100();
  if (ends_with(real_path(), ".tar.gz")) GTEST_SKIP() << "needs the extracted folder";
  // A repacked (differently ordered) archive of the real files: only the member
  // digests can accept it.
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* f : {"test.bin", "train.bin", "coarse_label_names.txt", "fine_label_names.txt"})
    files.emplace_back(std::string("x/") + f, test::read_bytes(real_path() + "/" + f));
  std::vector<ArchiveMember> members;
  EXPECT_EQ(verify_cifar100_tarball(test::make_tar_gz(files), "x", &members),
            "sha256 of every member file");
  EXPECT_EQ(members.size(), 4u);
}

TEST(RealCifar100, TrainLoaderCoversTheSetOncePerEpoch) {
  ZKD_REQUIRE_CIFAR100();
  ImageSet train = load_cifar100_split(real_path(), "train");
  Loader loader(train, Device::cpu(), 64, 1);
  ASSERT_EQ(loader.num_batches(), 782);
  std::vector<int64_t> seen(100, 0);
  for (int64_t i = 0; i < loader.num_batches(); ++i)
    for (int64_t l : loader.batch(i).labels.to_vector<int64_t>()) ++seen[static_cast<size_t>(l)];
  for (int64_t c : seen) EXPECT_EQ(c, 500);
}

}  // namespace zkd::data
