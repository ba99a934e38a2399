// Image folders and single images through stb_image: PNG / BMP exact, JPEG close, sorted class
// names, the resize of other sizes (and its rejection when switched off), grey images, the
// errors for misplaced or broken files, and the PNG grid writer.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "datasets/image_folder.h"
#include "datasets/image_io.h"
#include "stb_image.h"
#include "stb_image_write.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {

namespace fs = std::filesystem;

static Tensor image_of(const ImageSet& s, int64_t i) {
  return from_vector(std::vector<uint8_t>(s.images.data<uint8_t>() + i * 3072,
                                          s.images.data<uint8_t>() + (i + 1) * 3072),
                     {3, 32, 32});
}

TEST(ImageFolder, LoadsPngJpegBmpWithSortedClasses) {
  test::TempDir dir;
  ImageSet src = test::synthetic_set(6, 1);
  // Classes created out of order; labels must follow the sorted names.
  for (const char* c : {"zebra", "ant", "mole"})
    fs::create_directories(dir / ("root/" + std::string(c)));
  write_image(dir / "root/zebra/b.png", image_of(src, 0));
  write_image(dir / "root/zebra/a.bmp", image_of(src, 1));
  write_image(dir / "root/ant/x.PNG", image_of(src, 2));
  write_image(dir / "root/mole/p.jpg", image_of(src, 3));
  test::write_bytes(dir / "root/mole/notes.txt", "not an image");  // ignored
  test::write_bytes(dir / "root/README", "ignored too");

  ImageSet s = load_image_folder(dir / "root");
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"ant", "mole", "zebra"}));
  ASSERT_EQ(s.size(), 4);
  EXPECT_EQ(s.labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 2}));
  EXPECT_FALSE(s.coarse_labels.defined());
  const uint8_t* got = s.images.data<uint8_t>();
  const uint8_t* want = src.images.data<uint8_t>();
  EXPECT_EQ(0, std::memcmp(got + 0 * 3072, want + 2 * 3072, 3072));  // ant/x.PNG
  EXPECT_EQ(0, std::memcmp(got + 2 * 3072, want + 1 * 3072, 3072));  // zebra/a.bmp (sorted first)
  EXPECT_EQ(0, std::memcmp(got + 3 * 3072, want + 0 * 3072, 3072));  // zebra/b.png
  // JPEG (quality 95) of random pixels: lossy. Measured mean abs error 3.2 levels on this noise
  // image (the worst case for JPEG); bound 8. A wrong channel order or layout gives ~85.
  double err = 0;
  for (int i = 0; i < 3072; ++i) err += std::abs(int(got[3072 + i]) - int(want[3 * 3072 + i]));
  std::printf("JPEG mean abs error %.2f levels\n", err / 3072);
  EXPECT_LT(err / 3072, 8.0);
}

TEST(ImageFolder, OtherSizesAreResizedOrRejected) {
  test::TempDir dir;
  fs::create_directories(dir / "root/only");
  // A 48x40 (w x h) constant image, written as interleaved RGB.
  std::vector<uint8_t> rgb(48 * 40 * 3);
  for (size_t i = 0; i < rgb.size(); ++i)
    rgb[i] = static_cast<uint8_t>(i % 3 == 0 ? 200 : i % 3 == 1 ? 17 : 99);
  ASSERT_TRUE(stbi_write_png((dir / "root/only/big.png").c_str(), 48, 40, 3, rgb.data(), 48 * 3));
  Tensor t = load_image_32(dir / "root/only/big.png");
  ASSERT_EQ(t.shape(), (Shape{3, 32, 32}));
  for (int i = 0; i < 1024; ++i) {
    ASSERT_EQ(t.data<uint8_t>()[i], 200);
    ASSERT_EQ(t.data<uint8_t>()[1024 + i], 17);
    ASSERT_EQ(t.data<uint8_t>()[2048 + i], 99);
  }
  std::string err = test::error_of([&] { load_image_folder(dir / "root", /*resize=*/false); });
  EXPECT_NE(err.find(dir / "root/only/big.png"), std::string::npos) << err;
  EXPECT_NE(err.find("48x40"), std::string::npos) << err;
}

TEST(ImageFolder, GreyImagesAreReplicatedToRgb) {
  test::TempDir dir;
  std::vector<uint8_t> grey(32 * 32);
  for (int i = 0; i < 1024; ++i) grey[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(stbi_write_png((dir / "g.png").c_str(), 32, 32, 1, grey.data(), 32));
  Tensor t = load_image_32(dir / "g.png");
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 1024; ++i) ASSERT_EQ(t.data<uint8_t>()[c * 1024 + i], grey[i]);
}

TEST(ImageFolder, BilinearResizeKeepsLinearRampsAndConstants) {
  // Shrink 64 -> 32: a horizontal ramp v = 2x (x = source column) becomes 2 * (2o + 0.5) = 4o + 1
  // away from the borders (the triangle filter is symmetric, weights sum to 1).
  std::vector<uint8_t> ramp(64 * 64);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) ramp[y * 64 + x] = static_cast<uint8_t>(2 * x);
  std::vector<uint8_t> small = resize_bilinear(ramp.data(), 1, 64, 64, 32, 32);
  for (int y = 0; y < 32; ++y)
    for (int o = 1; o < 31; ++o) ASSERT_EQ(small[y * 32 + o], 4 * o + 1) << y << " " << o;
  // Enlarge 16 -> 32: a ramp v = 8x becomes 8 * ((o + 0.5) / 2 - 0.5) = 4o - 2 inside.
  std::vector<uint8_t> r16(16 * 16);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) r16[y * 16 + x] = static_cast<uint8_t>(8 * x);
  std::vector<uint8_t> big = resize_bilinear(r16.data(), 1, 16, 16, 32, 32);
  for (int o = 1; o < 31; ++o) ASSERT_EQ(big[5 * 32 + o], 4 * o - 2) << o;
  EXPECT_EQ(big[0], 0);  // the border clamps to the edge pixel
  EXPECT_EQ(big[31], 120);
  // 32 -> 32 is the identity.
  std::vector<uint8_t> same = resize_bilinear(r16.data(), 1, 16, 16, 16, 16);
  EXPECT_EQ(same, r16);
}

TEST(ImageFolder, MisplacedEmptyOrBrokenFilesAreErrors) {
  test::TempDir dir;
  fs::create_directories(dir / "a/cls");
  std::string err = test::error_of([&] { load_image_folder(dir / "a"); });
  EXPECT_NE(err.find(dir / "a/cls"), std::string::npos) << err;  // an empty class folder

  test::write_bytes(dir / "a/cls/broken.png", "definitely not a png");
  err = test::error_of([&] { load_image_folder(dir / "a"); });
  EXPECT_NE(err.find(dir / "a/cls/broken.png"), std::string::npos) << err;

  fs::create_directories(dir / "b");
  write_image(dir / "b/loose.png", image_of(test::synthetic_set(1, 2), 0));
  err = test::error_of([&] { load_image_folder(dir / "b"); });
  EXPECT_NE(err.find("loose.png"), std::string::npos) << err;

  err = test::error_of([&] { load_image_folder(dir / "missing"); });
  EXPECT_NE(err.find("missing"), std::string::npos) << err;
}

TEST(ImageFolder, PngGridHoldsEveryImage) {
  test::TempDir dir;
  ImageSet s = test::synthetic_set(5, 9);
  write_png_grid(dir / "grid.png", s.images, 3);  // 3 columns, 2 rows, gutter 2
  int w = 0, h = 0, comp = 0;
  unsigned char* p = stbi_load((dir / "grid.png").c_str(), &w, &h, &comp, 3);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(w, 3 * 34 + 2);
  EXPECT_EQ(h, 2 * 34 + 2);
  // Image 4 sits in row 1, column 1: its pixel (c, y, x) at grid (2 + 34 + y, 2 + 34 + x).
  const uint8_t* img4 = s.images.data<uint8_t>() + 4 * 3072;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x)
        ASSERT_EQ(p[((36 + y) * w + 36 + x) * 3 + c], img4[(c * 32 + y) * 32 + x]);
  EXPECT_EQ(p[0], 128);  // the gutter
  stbi_image_free(p);
  // Scale 3: pixel (y, x) of image 0 fills grid (2 + 3y .. 2 + 3y + 2, 2 + 3x .. 2 + 3x + 2).
  write_png_grid(dir / "grid3.png", s.images, 2, 3);
  p = stbi_load((dir / "grid3.png").c_str(), &w, &h, &comp, 3);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(w, 2 * 98 + 2);
  EXPECT_EQ(h, 3 * 98 + 2);
  const uint8_t* img0 = s.images.data<uint8_t>();
  for (int y = 0; y < 96; ++y)
    for (int x = 0; x < 96; ++x)
      ASSERT_EQ(p[((2 + y) * w + 2 + x) * 3 + 1], img0[(32 + y / 3) * 32 + x / 3]) << y << " " << x;
  stbi_image_free(p);
}

}  // namespace zkd::data
