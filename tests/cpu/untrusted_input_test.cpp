// The engine's guards for untrusted input (issue #25): JSON depth and size checked on the bytes
// before parsing and values in messages bounded (json_limits.h), checked size arithmetic
// (core/checked.h), the one input-file helper (input_file.h: kinds and limits in the message) and
// the atomic writer refusing to replace anything but a regular file (atomic_file.h).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/checked.h"
#include "engine/io/atomic_file.h"
#include "engine/io/json_limits.h"

namespace zkd {
namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string nested(int depth, const std::string& inner = "1") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

TEST(JsonLimits, DepthIsCheckedOnTheBytesBeforeParsing) {
  EXPECT_EQ(parse_json_limited(nested(kJsonMaxDepth), "t", 1 << 20).dump(), nested(kJsonMaxDepth));
  EXPECT_EQ(error_of([] { parse_json_limited(nested(kJsonMaxDepth + 1), "t", 1 << 20); }),
            "t: expected JSON nested at most 64 deep, got deeper at byte 64");
  // 100,000 levels (the crash of issue #25): refused at the 65th bracket, one line.
  std::string deep = "{\"__metadata__\":{\"x\":\"y\"},\"a\":" + nested(100000) + "}";
  std::string err = error_of([&] { parse_json_limited<nlohmann::ordered_json>(deep, "c", 1e9); });
  EXPECT_EQ(err, "c: expected JSON nested at most 64 deep, got deeper at byte 93");
  // Brackets inside strings (escaped quotes included) do not count; objects do.
  std::string in_string =
      "{\"k\":\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"}";
  EXPECT_TRUE(parse_json_limited(in_string, "t", 1 << 20).is_object());
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"a\":";
  objects += "1" + std::string(65, '}');
  EXPECT_NE(error_of([&] { parse_json_limited(objects, "t", 1 << 20); }).find("nested at most"),
            std::string::npos);
  EXPECT_EQ(error_of([] { parse_json_limited("[1,2]", "t", 4); }),
            "t: expected JSON of at most 4 bytes, got 5");
  EXPECT_EQ(error_of([] { parse_json_limited("[1,", "t", 100); })
                .rfind("t: expected JSON, got "
                       "invalid JSON (",
                       0),
            0u);
}

TEST(JsonLimits, DuplicateKeysAreRefusedAtAnyDepth) {
  EXPECT_EQ(error_of([] { parse_json_limited(R"({"epochs":3,"epochs":240})", "cfg", 100); }),
            "cfg: expected unique keys, got 'epochs' twice");
  EXPECT_EQ(error_of([] {
              parse_json_limited<nlohmann::ordered_json>(R"({"a":[{"k":1,"k":2}]})", "s", 100);
            }),
            "s: expected unique keys, got 'k' twice");
  // The same key in sibling objects is fine, and order is kept by ordered_json.
  auto v = parse_json_limited<nlohmann::ordered_json>(R"({"z":{"k":1},"a":{"k":2}})", "s", 100);
  EXPECT_EQ(v.dump(), R"({"z":{"k":1},"a":{"k":2}})");
}

TEST(JsonLimits, BriefValuesAreBoundedInDepthAndLength) {
  auto v = nlohmann::json::parse(nested(60));  // under the cap: parsed, then printed briefly
  EXPECT_EQ(json_brief(v), "[[[[...]]]]");
  EXPECT_EQ(json_brief(nlohmann::json::parse("{\"a\":[1,{\"b\":{}}],\"c\":\"d\"}")),
            "{\"a\":[1,{\"b\":{}}],\"c\":\"d\"}");
  std::string long_text(100000, 'x');
  std::string brief = json_brief(nlohmann::json(long_text));
  EXPECT_EQ(brief, "\"" + std::string(79, 'x') + "...");
  std::vector<int> many(100000, 7);
  brief = json_brief(nlohmann::ordered_json(many), 20);
  EXPECT_EQ(brief, "[7,7,7,7,7,7,7,7,7,7...");
  EXPECT_EQ(json_brief(nlohmann::json(std::string("\xff"))), "\"\xef\xbf\xbd\"");  // U+FFFD
  EXPECT_EQ(brief_text(std::string(100, 'n'), 5), "nnnnn...");
  EXPECT_EQ(brief_text("short"), "short");
  EXPECT_EQ(brief_text("a\nb\rc\x7f\td"), "a?b?c??d");  // one line, whatever the input holds
  EXPECT_EQ(brief_list({}), "");
  EXPECT_EQ(brief_list({"a", "b"}), "a, b");
  EXPECT_EQ(brief_list({"a", "b", "c", "d", "e"}), "a, b, c and 2 more");
  EXPECT_EQ(brief_list({"a", "b", "c"}, 1), "a and 2 more");
}

TEST(Checked, ProductsAndSumsRefuseOverflowAndTheCap) {
  EXPECT_EQ(checked_mul(3, 4, "op", "members", 12), 12u);
  EXPECT_EQ(error_of([] { checked_mul(3, 5, "sweep", "members", 12); }),
            "sweep: expected members of at most 12, got 3 x 5 = 15");
  EXPECT_EQ(error_of([] { checked_mul(1ull << 32, 1ull << 32, "sweep", "members"); }),
            "sweep: expected members of at most 18446744073709551615, got 4294967296 x 4294967296 "
            "(past 2^64)");
  EXPECT_EQ(checked_add(UINT64_MAX - 1, 1, "op", "bytes"), UINT64_MAX);
  EXPECT_EQ(error_of([] { checked_add(UINT64_MAX, 1, "io", "bytes"); }),
            "io: expected bytes of at most 18446744073709551615, got 18446744073709551615 + 1 "
            "(past 2^64)");
  // A grid whose list sizes multiply past 64 bits (wrapped to 0 before issue #25).
  std::vector<uint64_t> lists(8, 1ull << 8);  // 2^64
  EXPECT_EQ(error_of([&] { checked_product(lists, "sweep", "members", 10000); }),
            "sweep: expected members of at most 10000, got 256 x 256 = 65536");
  std::vector<int64_t> wraps = {1ll << 32, 1ll << 32};
  EXPECT_EQ(error_of([&] { checked_product(wraps, "sweep", "members"); }).find("(past 2^64)") !=
                std::string::npos,
            true);
  EXPECT_EQ(checked_product({2, 3, 5}, "op", "members", 10000), 30u);
  EXPECT_EQ(checked_product(std::vector<int>{}, "op", "members", 10000), 1u);
  EXPECT_EQ(error_of([] {
              checked_product(std::vector<int>{2, -1}, "op", "members");
            }),
            "op: expected non-negative factors of members, got -1");
}

// A fresh folder with a FIFO, a subfolder, a regular file and a link to it.
struct Scratch {
  std::string dir, fifo, sub, file, link;
  Scratch() {
    char tmpl[] = "/tmp/zkd_untrusted_XXXXXX";
    dir = ::mkdtemp(tmpl);
    fifo = dir + "/fifo";
    sub = dir + "/sub";
    file = dir + "/file";
    link = dir + "/link";
    EXPECT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(::mkdir(sub.c_str(), 0700), 0);
    write_file_atomic(file, "precious");
    EXPECT_EQ(::symlink(file.c_str(), link.c_str()), 0);
  }
  ~Scratch() {
    for (const std::string& p : {fifo, file, link, fifo + ".tmp", file + ".tmp"})
      ::unlink(p.c_str());
    ::rmdir(sub.c_str());
    ::rmdir(dir.c_str());
  }
};

TEST(InputFile, OneLineErrorsNameThePathTheKindAndTheLimit) {
  Scratch s;
  EXPECT_EQ(error_of([&] { read_file(s.fifo, "config", 1000); }),
            "config: expected a regular file at '" + s.fifo +
                "', got a FIFO (limit: regular files of at most 1000 bytes)");
  EXPECT_EQ(error_of([&] { read_file(s.sub, "config", 1000); }),
            "config: expected a regular file at '" + s.sub +
                "', got a directory (limit: regular files of at most 1000 bytes)");
  EXPECT_EQ(error_of([] { read_file("/dev/zero", "log"); }),
            "log: expected a regular file at '/dev/zero', got a device (limit: regular files "
            "only)");
  EXPECT_EQ(error_of([&] { read_file(s.file, "ckpt", 7); }),
            "ckpt: expected at most 7 bytes in '" + s.file + "', got 8");
  EXPECT_EQ(read_file(s.file, "ckpt", 8), "precious");
  EXPECT_EQ(read_file(s.link, "ckpt", 8), "precious");  // a link to a regular file is read
  InputFile in(s.file, "stream", kNoSizeCap);
  char buf[3];
  std::string got;
  while (size_t n = in.read_some(buf, sizeof buf)) got.append(buf, n);
  EXPECT_EQ(got, "precious");
  EXPECT_EQ(in.size(), 8u);
  EXPECT_EQ(file_kind(s.link), "a regular file");
  EXPECT_EQ(file_kind(s.link, /*follow=*/false), "a symbolic link");
  EXPECT_EQ(file_kind(s.dir + "/none"), "no such file or directory");
}

TEST(AtomicWrite, NeverReplacesAnythingButARegularFile) {
  Scratch s;
  // /dev/null as a target (replaced by a regular file when run as root before issue #25).
  EXPECT_EQ(error_of([] { write_file_atomic("/dev/null", "x"); }),
            "write: expected a regular file or nothing at '/dev/null', got a device (only regular "
            "files are replaced)");
  EXPECT_EQ(error_of([&] { write_file_atomic(s.fifo, "x"); }),
            "write: expected a regular file or nothing at '" + s.fifo +
                "', got a FIFO (only regular files are replaced)");
  EXPECT_NE(error_of([&] { write_file_atomic(s.sub, "x"); }).find("got a directory"),
            std::string::npos);
  EXPECT_NE(error_of([&] { write_file_atomic(s.link, "x"); }).find("got a symbolic link"),
            std::string::npos);
  // A FIFO at "<path>.tmp" is neither opened (that would block) nor replaced.
  ASSERT_EQ(::mkfifo((s.file + ".tmp").c_str(), 0600), 0);
  EXPECT_NE(
      error_of([&] { write_file_atomic(s.file, "x"); }).find("at '" + s.file + ".tmp', got a FIFO"),
      std::string::npos);
  ::unlink((s.file + ".tmp").c_str());
  // Everything is as it was; then a regular file is replaced and a new one created.
  EXPECT_EQ(file_kind(s.fifo), "a FIFO");
  EXPECT_EQ(file_kind(s.sub), "a directory");
  EXPECT_EQ(file_kind(s.link, false), "a symbolic link");
  EXPECT_EQ(read_file(s.file, "t", 100), "precious");
  write_file_atomic(s.file, "new");
  EXPECT_EQ(read_file(s.file, "t", 100), "new");
  write_file_atomic(s.file + ".tmp", "stale");  // a stale temporary from a crash is replaced
  write_file_atomic(s.file, "newer");
  EXPECT_EQ(read_file(s.file, "t", 100), "newer");
  EXPECT_EQ(file_kind(s.file + ".tmp"), "no such file or directory");
}

TEST(AtomicWrite, AWriterInPartsReplacesTheFileOnlyOnCommit) {
  Scratch s;
  {
    AtomicFileWriter w(s.file);
    w.append("half ");
    w.append(std::string("written"));
    EXPECT_EQ(read_file(s.file + ".tmp", "t", 100), "half written");
    EXPECT_EQ(read_file(s.file, "t", 100), "precious");  // untouched before commit
  }  // destroyed without commit: as if it never ran (an error mid-write)
  EXPECT_EQ(read_file(s.file, "t", 100), "precious");
  EXPECT_EQ(file_kind(s.file + ".tmp"), "no such file or directory");
  AtomicFileWriter w(s.file);
  for (const char* part : {"a", "", "bc", "def"}) w.append(part, std::strlen(part));
  w.commit();
  EXPECT_EQ(read_file(s.file, "t", 100), "abcdef");
  EXPECT_EQ(file_kind(s.file + ".tmp"), "no such file or directory");
  EXPECT_NE(error_of([&] { w.append("x"); }).find("appended after commit"), std::string::npos);
  EXPECT_NE(error_of([&] { w.commit(); }).find("committed twice"), std::string::npos);
  EXPECT_EQ(read_file(s.file, "t", 100), "abcdef");
  // Two writers of one path: the first one's temporary is replaced by the second's; its commit
  // fails and leaves the path alone, and neither removes the other's temporary.
  {
    AtomicFileWriter first(s.file), second(s.file);
    first.append("one");
    second.append("two");
    EXPECT_NE(error_of([&] { first.commit(); }).find("(a second writer of the same path?)"),
              std::string::npos);
    EXPECT_EQ(read_file(s.file, "t", 100), "abcdef");
    second.commit();
    EXPECT_EQ(read_file(s.file, "t", 100), "two");
  }
  {
    auto first = std::make_unique<AtomicFileWriter>(s.file);
    AtomicFileWriter second(s.file);
    first.reset();  // abandoned after the second writer started: leaves the second's file alone
    second.append("three");
    second.commit();
    EXPECT_EQ(read_file(s.file, "t", 100), "three");
  }
  EXPECT_EQ(error_of([&] { AtomicFileWriter f(s.fifo); }),
            "write: expected a regular file or nothing at '" + s.fifo +
                "', got a FIFO (only regular files are replaced)");
}

}  // namespace
}  // namespace zkd
