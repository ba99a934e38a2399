// Sweep expansion: list and range parsing, the cartesian product's order, member names and
// groups, bad lists, member configs made as zkd-distill makes its own (sweep.json round trip), and
// a broken sweep.json as a one-line error naming the file and the key.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "apps/sweep/grid.h"
#include "apps/sweep/plan.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/safetensors.h"

namespace zkd::app::sweep {
namespace {

std::vector<std::string> names(const std::vector<Member>& ms) {
  std::vector<std::string> out;
  for (const Member& m : ms) out.push_back(m.name);
  return out;
}

TEST(SweepGrid, ParsesListsAndSeedRanges) {
  EXPECT_EQ(parse_axis("seed", "0-3").values, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(parse_axis("seed", "0-1,7").values, (std::vector<std::string>{"0", "1", "7"}));
  EXPECT_EQ(parse_axis("seed", "5").values, (std::vector<std::string>{"5"}));
  EXPECT_EQ(parse_axis("temperature", "2,3").values, (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(parse_axis("lr", "5e-2,0.1").values, (std::vector<std::string>{"5e-2", "0.1"}))
      << "ranges are for seeds only";
}

TEST(SweepGrid, RejectsBadLists) {
  EXPECT_THROW(parse_axis("seed", "3-1"), Error);
  EXPECT_THROW(parse_axis("temperature", "2,,3"), Error);
  EXPECT_THROW(parse_axis("temperature", "2,"), Error);
  EXPECT_THROW(parse_axis("seed", "0-2,1"), Error) << "seed 1 twice";
  EXPECT_THROW(parse_axis("model", "a/b"), Error);
  EXPECT_THROW(parse_axis("epochs", "1,2"), Error) << "not sweepable";
  EXPECT_THROW(expand({{"seed", {"0"}}, {"seed", {"1"}}}), Error);
  try {
    parse_axis("temperature", "2,2");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'2' and '2' (the same value)"), std::string::npos)
        << e.what();
  }
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Issue 25: a product past 64 bits wrapped to 0 members (undefined behaviour after); equal
// numbers written two ways made two identical members; "0x10" was read as 16.
TEST(SweepGrid, MemberCountIsCheckedAndCappedAndValuesAreDistinctDecimals) {
  std::vector<Axis> huge;
  for (const char* flag : {"temperature", "lambda-ce", "kd-weight", "dkd-beta", "lr"})
    huge.push_back({flag, std::vector<std::string>(10000, "1")});
  std::string e = error_of([&] { expand(huge); });
  EXPECT_NE(e.find("sweep: expected members (the product of the list lengths) of at most 10000, "
                   "got "),
            std::string::npos)
      << e;
  e = error_of([&] {
    expand({{"temperature", std::vector<std::string>(101, "1")},
            {"seed", std::vector<std::string>(100, "1")}});
  });
  EXPECT_NE(e.find("of at most 10000, got 101 x 100 = 10100"), std::string::npos) << e;
  EXPECT_EQ(
      expand({{"temperature", {"1", "2"}}, {"seed", parse_axis("seed", "0-4999").values}}).size(),
      10000u);
  e = error_of([&] { parse_axis("seed", "0-10000"); });
  EXPECT_NE(e.find("seeds in range '0-10000' of at most 10000, got 10000 + 1 = 10001"),
            std::string::npos)
      << e;
  e = error_of([&] { parse_axis("seed", "0-99999999999999999999999"); });
  EXPECT_NE(e.find("expected a seed range LOW-HIGH of integers under 2^64"), std::string::npos)
      << e;
  e = error_of([&] { parse_axis("seed", "18446744073709551615-18446744073709551615"); });
  EXPECT_EQ(e, "") << "the largest seed alone is a range of one";
  e = error_of([&] { parse_axis("lr", "0.1,0.10"); });
  EXPECT_NE(e.find("expected distinct --lr values, got '0.1' and '0.10' (the same value)"),
            std::string::npos)
      << e;
  EXPECT_NE(error_of([&] { parse_axis("temperature", "4,4e0"); }).find("(the same value)"),
            std::string::npos);
  e = error_of([&] { parse_axis("lr", "0x10"); });
  EXPECT_NE(e.find("expected decimal --lr values, got '0x10'"), std::string::npos) << e;
  EXPECT_EQ(parse_axis("model", "resnet8x4,wrn_16_2").values.size(), 2u) << "names keep their x";
}

TEST(SweepGrid, ProductIsRowMajorInTheFixedOrderWithSeedsFastest) {
  // Given in the "wrong" order: the expansion sorts the axes (temperature, kd-weight, seed).
  std::vector<Member> ms = expand({parse_axis("seed", "0-1"), parse_axis("kd-weight", "6,9"),
                                   parse_axis("temperature", "2,3")});
  EXPECT_EQ(names(ms), (std::vector<std::string>{"T2-kd6-seed0", "T2-kd6-seed1", "T2-kd9-seed0",
                                                 "T2-kd9-seed1", "T3-kd6-seed0", "T3-kd6-seed1",
                                                 "T3-kd9-seed0", "T3-kd9-seed1"}));
  EXPECT_EQ(ms[5].group, "T3-kd6");
  EXPECT_EQ(ms[5].index, 5);
  EXPECT_EQ(ms[5].settings, (std::vector<std::pair<std::string, std::string>>{
                                {"temperature", "3"}, {"kd-weight", "6"}, {"seed", "1"}}));
}

TEST(SweepGrid, NamesHoldVaryingSettingsAndAlwaysTheSeed) {
  EXPECT_EQ(names(expand({})), (std::vector<std::string>{"seed0"}));
  EXPECT_EQ(expand({}).front().group, "all");
  std::vector<Member> ms = expand({parse_axis("lr", "0.05"), parse_axis("temperature", "2,4")});
  EXPECT_EQ(names(ms), (std::vector<std::string>{"T2-seed0", "T4-seed0"}));
  EXPECT_EQ(ms[0].settings.front(), (std::pair<std::string, std::string>{"temperature", "2"}));
  EXPECT_EQ(ms[0].settings[1], (std::pair<std::string, std::string>{"lr", "0.05"}))
      << "still applied";
  EXPECT_EQ(
      names(expand({parse_axis("method", "kd,kd+ls"), parse_axis("model", "resnet20,wrn_16_2"),
                    parse_axis("weight-decay", "5e-4,1e-4")}))[3],
      "kd-wrn_16_2-wd1e-4-seed0");
}

TEST(SweepPlan, MemberConfigsFollowEachMembersDefaultsAndRoundTrip) {
  std::string dir = (std::filesystem::temp_directory_path() / "zkd_sweep_plan_test").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string teacher = dir + "/t.safetensors";  // no description: the flags name the model
  save_safetensors(teacher, {{"w", zeros({1})}});
  std::vector<std::string> shared = {"--teacher",   teacher,   "--teacher-model",
                                     "resnet32x4",  "--model", "resnet8x4",
                                     "--lambda-ce", "0.5",     "--epochs=3"};
  Plan p = make_plan("distill", shared,
                     {parse_axis("method", "kd,kd+ls"), parse_axis("seed", "3-4")}, dir);
  ASSERT_EQ(p.members.size(), 4u);
  ASSERT_EQ(p.configs.size(), 4u);
  EXPECT_EQ(p.members[0].name, "kd-seed3");
  EXPECT_EQ(p.configs[0].method.name(), "kd");
  EXPECT_EQ(p.configs[0].temperature, 4.0) << "the KD baseline's T";
  EXPECT_EQ(p.configs[3].method.name(), "kd+ls");
  EXPECT_EQ(p.configs[3].temperature, 2.0) << "KD+LS's T for resnet32x4 -> resnet8x4";
  EXPECT_EQ(p.configs[3].kd_weight, 9.0);
  EXPECT_EQ(p.configs[3].lambda_ce, 0.5) << "a shared flag";
  EXPECT_EQ(p.configs[3].seed, 4u);
  EXPECT_EQ(p.configs[3].epochs, 3);
  EXPECT_EQ(p.configs[3].out, dir + "/kd+ls-seed4");
  EXPECT_EQ(member_args(shared, p.members[1], "X").back(), "--out=X");
  write_plan(p, dir);
  Plan q = read_plan(dir);
  ASSERT_EQ(q.members.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(q.configs[i].to_json(), p.configs[i].to_json()) << i;
  EXPECT_THROW(read_plan(dir + "/nothing"), Error);
  std::filesystem::remove_all(dir);
}

// The message of the zkd::Error that read_plan(dir) throws ("" when it throws none).
std::string plan_error(const std::string& dir) {
  try {
    read_plan(dir);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(SweepPlan, BrokenSweepJsonIsAOneLineErrorNamingTheFileAndKey) {
  std::string dir =
      (std::filesystem::temp_directory_path() / "zkd_sweep_broken_plan_test").string();
  std::filesystem::remove_all(dir);
  Plan p = make_plan("train", {"--epochs=1"}, {parse_axis("seed", "0-1")}, dir);
  write_plan(p, dir);
  const std::string path = dir + "/sweep.json";
  const std::string good = read_file(path, "test");
  EXPECT_EQ(plan_error(dir), "");
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    size_t at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? t : t.replace(at, from.size(), to);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      // sweep.json -> the message's words
      {good.substr(0, good.size() / 2), "expected JSON, got invalid JSON"},
      {"[1, 2]", "expected an object with 'format', got array"},
      {"{\"format\":" + std::string(100000, '[') + "}", "expected JSON nested at most 64 deep"},
      {replaced("\"mode\":\"train\",", "\"mode\":\"train\",\"mode\":\"train\","),
       "expected unique keys, got 'mode' twice"},
      {replaced("\"format\":\"zkd-sweep-1\"", "\"format\":1"),
       "format: expected a string, got number"},
      {replaced("\"format\":\"zkd-sweep-1\"", "\"format\":\"zkd-sweep-0\""),
       "in format zkd-sweep-1"},
      {replaced("\"mode\":\"train\",", ""), "expected 'mode', got none"},
      {replaced("\"args\":[\"--epochs=1\"]", "\"args\":{}"), "args: expected an array, got object"},
      {replaced("\"args\":[\"--epochs=1\"]", "\"args\":[1]"),
       "args: expected a string, got number"},
      {replaced("\"values\":[\"0\",\"1\"]", "\"values\":[0,1]"),
       "values: expected a string, got number"},
      {replaced("\"name\":\"seed1\"", "\"name\":\"seed7\""),
       "expected member 1 of " + path + " to be 'seed1'"},
  };
  for (const auto& [text, words] : cases) {
    write_file_atomic(path, text);
    std::string m = plan_error(dir);
    EXPECT_NE(m.find(words), std::string::npos) << m;
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace zkd::app::sweep
