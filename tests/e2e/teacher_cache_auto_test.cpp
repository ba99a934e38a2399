// `--teacher-cache auto` and the cache as an input of the run (docs/teacher-cache.md): the first
// zkd-distill builds the file beside the teacher's checkpoint, the next ones (and --resume, which
// reads the path recorded in config.toml) reuse it without rebuilding; a sweep builds it once
// before its members start (a --member task refuses to build it); a mismatched file there is
// refused in one line and left as it is; no output flag and no --overwrite replaces a cache.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/io/atomic_file.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/teacher_cache_util.h"

namespace zkd::e2e {
namespace {

namespace fs = std::filesystem;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// The file auto resolves to: beside the teacher's checkpoint, named by the subset (5 classes, 3
// training images per class).
std::string auto_file(const std::string& teacher) {
  return (fs::path(teacher).parent_path() / "teacher-logits-5c-3pc.bin").string();
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

TEST(TeacherCacheAuto, BuildsBesideTheTeacherOnFirstUseThenReusesIt) {
  const std::string teacher = random_teacher("auto", 3), file = auto_file(teacher);
  const std::string first = fresh_dir("auto1"), second = fresh_dir("auto2");
  RunResult r1 = run(with(distill_args("kd+ls", teacher, first), {"--teacher-cache", "auto"}));
  ASSERT_EQ(r1.status, 0) << r1.output;
  EXPECT_EQ(count(r1.output, "--teacher-cache auto: building " + file), 1u) << r1.output;
  EXPECT_TRUE(has(r1.output, "15 / 15 images")) << r1.output;
  EXPECT_TRUE(has(r1.output, "teacher logits from the cache " + file)) << r1.output;
  ASSERT_TRUE(fs::is_regular_file(file));
  EXPECT_FALSE(fs::exists(file + ".partial"));
  // The resolved path is the run's setting, so that --resume reads the same file.
  EXPECT_TRUE(has(read_file(first + "/config.toml"), "teacher_cache = \"" + file + "\""))
      << read_file(first + "/config.toml");
  const std::string bytes = read_file(file);
  const auto built_at = fs::last_write_time(file);

  RunResult r2 = run(with(distill_args("kd+ls", teacher, second), {"--teacher-cache", "auto"}));
  ASSERT_EQ(r2.status, 0) << r2.output;
  EXPECT_FALSE(has(r2.output, "building")) << r2.output;
  EXPECT_TRUE(has(r2.output, "teacher logits from the cache " + file)) << r2.output;
  RunResult r3 = run({ZKD_DISTILL_BIN, "--resume", first, "--epochs", "2"});
  ASSERT_EQ(r3.status, 0) << r3.output;
  EXPECT_FALSE(has(r3.output, "building")) << r3.output;
  EXPECT_TRUE(has(r3.output, "teacher logits from the cache " + file)) << r3.output;
  EXPECT_EQ(read_lines(first + "/log.jsonl").size(), 2u);
  EXPECT_TRUE(fs::last_write_time(file) == built_at) << "the cache was written again";
  EXPECT_EQ(read_file(file), bytes);
}

TEST(TeacherCacheAuto, AMismatchedFileIsRefusedNotRebuilt) {
  const std::string bytes = read_file(built_cache().cache);  // another teacher's cache
  const std::string teacher = random_teacher("stale", 9), file = auto_file(teacher);
  write_file_atomic(file, bytes);
  const std::string out = fresh_dir("stale-run");
  RunResult r = run(with(distill_args("kd+ls", teacher, out), {"--teacher-cache", "auto"}));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(count(r.output, "expected teacher checkpoint sha256"), 1u) << r.output;
  EXPECT_FALSE(has(r.output, "building")) << r.output;
  EXPECT_EQ(read_file(file), bytes);
  // Refused with the other inputs' checks: the run directory got no run files.
  EXPECT_FALSE(fs::exists(out + "/config.toml"));
}

TEST(TeacherCacheAuto, ASweepBuildsItOnceBeforeItsMembers) {
  const std::string teacher = random_teacher("sweep", 5), file = auto_file(teacher);
  const std::string sweep = fresh_dir("csweep") + "/sweep";
  std::vector<std::string> member = distill_args("kd+ls", teacher, "unused");
  member.erase(member.begin());      // the program
  member.resize(member.size() - 4);  // --seed 4 --out unused
  std::vector<std::string> plan = {ZKD_SWEEP_BIN, "distill"};
  plan = with(with(plan, member), {"--teacher-cache", "auto", "--seeds", "0-1", "--out", sweep});
  RunResult p = run(with(plan, {"--plan"}));
  ASSERT_EQ(p.status, 0) << p.output;
  EXPECT_FALSE(fs::exists(file)) << "--plan builds nothing";
  EXPECT_EQ(count(read_file(sweep + "/sweep.json"), "\"teacher_cache\":\"" + file + "\""), 2u)
      << read_file(sweep + "/sweep.json");
  // The tasks of a job array would build the same file at once: a task expects it built.
  RunResult task = run({ZKD_SWEEP_BIN, "--resume", sweep, "--member", "0"});
  EXPECT_NE(task.status, 0);
  EXPECT_TRUE(has(task.output, "before a --member task starts")) << task.output;
  EXPECT_TRUE(has(task.output, "zkd-data teacher-logits --teacher " + teacher)) << task.output;
  EXPECT_FALSE(fs::exists(file));
  RunResult all = run({ZKD_SWEEP_BIN, "--resume", sweep});
  ASSERT_EQ(all.status, 0) << all.output;
  EXPECT_EQ(count(all.output, "--teacher-cache auto: building"), 1u) << all.output;
  EXPECT_LT(all.output.find("building"), all.output.find("member 1/2")) << all.output;
  EXPECT_EQ(count(all.output, "teacher logits from the cache " + file), 2u) << all.output;
  EXPECT_EQ(count(all.output, "2 finished"), 1u) << all.output;
  // Finished members need no cache: a --resume after the file has gone builds nothing.
  fs::remove(file);
  RunResult again = run({ZKD_SWEEP_BIN, "--resume", sweep});
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_FALSE(has(again.output, "building")) << again.output;
  EXPECT_FALSE(fs::exists(file));
}

// The cache is an input of the run: never replaced by the run's own files, an output flag or
// --overwrite (each refused before any work, the file unchanged).
TEST(TeacherCacheAuto, NoOutputReplacesTheCache) {
  const BuiltCache& b = built_cache();
  const std::string bytes = read_file(b.cache);
  // A cache named like a file the run writes, in the run's folder: refused, even with --overwrite.
  const std::string in_run = fresh_dir("in-run");
  write_file_atomic(in_run + "/curves.png", bytes);
  RunResult r = run(with(distill_args("kd+ls", b.teacher, in_run),
                         {"--teacher-cache", in_run + "/curves.png", "--overwrite"}));
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(has(r.output, "apart from the run's inputs")) << r.output;
  EXPECT_EQ(read_file(in_run + "/curves.png"), bytes);
  EXPECT_FALSE(fs::exists(in_run + "/log.jsonl"));
  // --dump-batch naming the cache.
  r = run(with(distill_args("kd+ls", b.teacher, fresh_dir("dump")),
               {"--teacher-cache", b.cache, "--dump-batch", b.cache}));
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(has(r.output, "--dump-batch")) << r.output;
  EXPECT_TRUE(has(r.output, "teacher-logit cache")) << r.output;
  // zkd-eval --save-logits: eval does not take the cache; the file is known by its magic.
  r = run({ZKD_EVAL_BIN, "--checkpoint", b.teacher, "--data", tiny_data(), "--num-classes", "5",
           "--device", "cpu", "--save-logits", b.cache});
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(has(r.output, "expected a path that is not a teacher-logit cache")) << r.output;
  EXPECT_EQ(read_file(b.cache), bytes);
  // --overwrite removes the old run's files by name and leaves the cache in the same folder.
  const std::string old = fresh_dir("over");
  write_file_atomic(old + "/log.jsonl", "{}\n");
  write_file_atomic(old + "/logits.bin", bytes);
  r = run(with(distill_args("kd+ls", b.teacher, old),
               {"--teacher-cache", old + "/logits.bin", "--overwrite"}));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_file(old + "/logits.bin"), bytes);
  EXPECT_EQ(read_lines(old + "/log.jsonl").size(), 1u);
}

}  // namespace
}  // namespace zkd::e2e
