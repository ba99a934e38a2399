// Test helper: two safetensors files hold the same tensors byte for byte (resume and sweep
// members against uninterrupted runs launched alone).
#pragma once
#include <gtest/gtest.h>

#include <string>

namespace zkd::test {

// The same names in the same order, equal sizes and equal bytes (the metadata, which names the
// run's folder, aside).
::testing::AssertionResult same_tensors(const std::string& a_path, const std::string& b_path);

}  // namespace zkd::test
