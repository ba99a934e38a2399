// Image folders and single images through stb_image: PNG / BMP exact, JPEG close, sorted class
// names, the resize of other sizes (and its rejection when switched off), grey images, the
// errors for misplaced or broken files, and the PNG grid writer.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
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

namespace zkd::data {

// Issue #16: a crafted DHT segment (16 code counts of 255: 4,080 codes where a table holds 256)
// made stb_image 2.27 write past its Huffman size table. The segments are checked first now.
TEST(ImageIo, CraftedJpegHuffmanTableIsRefusedBeforeStb) {
  std::string dht = std::string("\xff\xd8\xff\xc4\x00\x13\x00", 7) + std::string(16, '\xff');
  std::string crafted = dht + std::string(300, '\x01') + "\xff\xd9";
  std::string err = test::error_of([&] { decode_image_32(crafted, "dht.jpg"); });
  EXPECT_NE(err.find("load_image 'dht.jpg'"), std::string::npos) << err;
  EXPECT_NE(err.find("at most 256 codes"), std::string::npos) << err;
  test::TempDir dir;
  test::write_bytes(dir / "dht.jpg", crafted);
  err = test::error_of([&] { load_image_32(dir / "dht.jpg"); });
  EXPECT_NE(err.find("got 4080"), std::string::npos) << err;
  // Found by fuzz_image: 0xFF fill bytes before FF D8 still make stb decode it as a JPEG.
  err = test::error_of([&] { decode_image_32("\xff\xff" + crafted, "fill.jpg"); });
  EXPECT_NE(err.find("at most 256 codes"), std::string::npos) << err;
  // Symbols missing from the segment, and a segment running past the end of the file.
  std::string few = std::string("\xff\xd8\xff\xc4\x00\x14\x00\x00\x02", 9) + std::string(14, '\0') +
                    "\x05\xff\xd9";
  EXPECT_NE(test::error_of([&] { check_jpeg_segments(few, "few"); }).find("Huffman symbols"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              check_jpeg_segments(std::string("\xff\xd8\xff\xe0\x10\x00", 6), "cut");
            }).find("fit in the file"),
            std::string::npos);
}

// Found by fuzz_image: a 75-byte PNG whose IDAT chunk claims 1.3 GB made stb grow its buffer to
// 2 GiB before noticing the file ends; a BMP header claiming 4096x4096 decodes 64 MB of zeros.
TEST(ImageIo, ChunkAndPixelSizesMustFitTheFile) {
  const unsigned char png[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
      0x52, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x0c, 0x08, 0x00, 0x00, 0x00, 0x00, 0x47,
      0x67, 0x8a, 0x50, 0x4e, 0xff, 0x00, 0x12, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x6c,
      0x60, 0xc0, 0x04, 0x4c, 0x58, 0xc4, 0x86, 0xa1, 0x20, 0x00, 0x8a, 0x4c, 0x00, 0x98, 0x4b,
      0x05, 0x7a, 0xc9, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  std::string err = test::error_of([&] {
    decode_image_32(std::string(reinterpret_cast<const char*>(png), sizeof(png)), "big.png");
  });
  EXPECT_NE(err.find("expected PNG chunk at byte 33 to fit in the file, got length 1325334546"),
            std::string::npos)
      << err;
  std::string bmp(54, '\0');
  bmp[0] = 'B', bmp[1] = 'M', bmp[10] = 54, bmp[14] = 40, bmp[28] = 24;
  bmp[19] = 0x10, bmp[23] = 0x10;  // 4096 x 4096
  err = test::error_of([&] { decode_image_32(bmp, "big.bmp"); });
  EXPECT_NE(err.find("expected 50331702 bytes for a 4096x4096 BMP of 24 bits per pixel, got 54"),
            std::string::npos)
      << err;
  // The real files of the seed corpus still decode.
  test::TempDir dir;
  write_image(dir / "ok.bmp", image_of(test::synthetic_set(1, 4), 0));
  write_image(dir / "ok.png", image_of(test::synthetic_set(1, 4), 0));
  EXPECT_EQ(load_image_32(dir / "ok.bmp").to_vector<uint8_t>(),
            load_image_32(dir / "ok.png").to_vector<uint8_t>());
}

// Found by fuzz_image (kept as tests/fuzz/corpus/image/undefined-huffman-table.jpg): a scan using
// Huffman tables no DHT defined made stb 2.27 decode with uninitialized heap bytes (a shift by 32
// in stbi__grow_buffer_unsafe, only on some runs). Undefined quantization tables too.
TEST(ImageIo, ScanTablesMustBeDefinedBeforeTheScan) {
  test::TempDir dir;
  write_image(dir / "a.jpg", image_of(test::synthetic_set(1, 3), 0));
  const std::string good = test::read_bytes(dir / "a.jpg");
  EXPECT_NO_THROW(check_jpeg_segments(good, "a.jpg"));
  size_t sos = good.find("\xff\xda"), sof = good.find("\xff\xc0");
  ASSERT_NE(sos, std::string::npos);
  ASSERT_NE(sof, std::string::npos);
  std::string bad = good;
  bad[sos + 6] = '\x03';  // component 0: DC table 0, AC table 3
  std::string err = test::error_of([&] { decode_image_32(bad, "huff.jpg"); });
  EXPECT_NE(err.find("expected the Huffman tables of scan component 0 (DC 0, AC 3) defined before "
                     "the scan at byte " +
                     std::to_string(sos)),
            std::string::npos)
      << err;
  bad = good;
  bad[sof + 12] = '\x02';  // frame component 0 uses quantization table 2
  err = test::error_of([&] { decode_image_32(bad, "quant.jpg"); });
  EXPECT_NE(err.find("expected quantization table 2 defined before the scan"), std::string::npos)
      << err;
}

TEST(ImageIo, RealJpegsPassTheSegmentCheck) {
  test::TempDir dir;
  ImageSet s = test::synthetic_set(1, 3);
  write_image(dir / "a.jpg", image_of(s, 0));  // baseline JPEG from stb_image_write
  std::string bytes = test::read_bytes(dir / "a.jpg");
  EXPECT_NO_THROW(check_jpeg_segments(bytes, "a.jpg"));
  EXPECT_EQ(decode_image_32(bytes, "a.jpg").shape(), (Shape{3, 32, 32}));
  // A progressive JPEG from PIL, when python3-pil is present: refused before stb sees it (stb's
  // progressive decoder has undefined behaviour on crafted scans, a fuzzer finding).
  std::string cmd =
      "for py in /usr/bin/python3 python3; do $py -c \"from PIL import Image; "
      "Image.new('RGB', (40, 24), (9, 99, 199)).save('" +
      (dir / "p.jpg") + "', progressive=True)\" 2>/dev/null && exit 0; done; exit 1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "python3-pil not available";
  std::string err = test::error_of([&] { load_image_32(dir / "p.jpg"); });
  EXPECT_NE(err.find("expected a baseline JPEG, got a progressive one"), std::string::npos) << err;
}

TEST(ImageIo, OversizedImagesAndGridsAreRefused) {
  test::TempDir dir;
  std::vector<uint8_t> row(3 * 5000, 7);
  ASSERT_NE(stbi_write_png((dir / "wide.png").c_str(), 5000, 1, 3, row.data(), 5000 * 3), 0);
  std::string err = test::error_of([&] { load_image_32(dir / "wide.png"); });
  EXPECT_NE(err.find(dir / "wide.png"), std::string::npos) << err;
  EXPECT_NE(err.find("expected at most 4096x4096 pixels"), std::string::npos) << err;
  EXPECT_NE(err.find("got 5000x1"), std::string::npos) << err;
  fs::create_directories(dir / "folder.png");
  err = test::error_of([&] { load_image_32(dir / "folder.png"); });
  EXPECT_NE(err.find("got a directory"), std::string::npos) << err;
  // --scale huge in dump-batch: the grid size overflowed int.
  ImageSet s = test::synthetic_set(4, 9);
  for (int scale : {600, 1 << 20, 2147483647}) {
    err = test::error_of([&] { write_png_grid(dir / "g.png", s.images, 2, scale); });
    EXPECT_NE(err.find("expected a grid of at most 16384x16384 pixels"), std::string::npos) << err;
  }
  EXPECT_FALSE(fs::exists(dir / "g.png"));
  write_png_grid(dir / "g.png", s.images, 2, 20);  // 2 * (640 + 2) + 2 pixels: allowed
}

}  // namespace zkd::data
