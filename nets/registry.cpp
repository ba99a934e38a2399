// The zoo by mdistiller's cifar_model_dict names, in a fixed order (the paper's nets first).
#include "nets/registry.h"

#include <functional>
#include <sstream>
#include <utility>

#include "nets/mobilenetv2.h"
#include "nets/resnet.h"
#include "nets/resnetv2.h"
#include "nets/shufflenetv1.h"
#include "nets/shufflenetv2.h"
#include "nets/vgg.h"
#include "nets/wrn.h"

namespace zkd::nets {

namespace {

using Factory = std::function<std::shared_ptr<Module>(Generator&, int64_t)>;

const std::vector<std::pair<std::string, Factory>>& table() {
  static const std::vector<int64_t> kX4 = {32, 64, 128, 256}, kSmall = {16, 16, 32, 64};
  static const std::vector<std::pair<std::string, Factory>> t = {
      {"resnet8x4", [](Generator& g, int64_t k) { return make_resnet(8, kX4, k, g); }},
      {"resnet32x4", [](Generator& g, int64_t k) { return make_resnet(32, kX4, k, g); }},
      {"ShuffleV2",
       [](Generator& g, int64_t k) {
         return make_shufflenet_v2({116, 232, 464, 1024}, {3, 7, 3}, k, g);
       }},
      {"resnet20", [](Generator& g, int64_t k) { return make_resnet(20, kSmall, k, g); }},
      {"resnet32", [](Generator& g, int64_t k) { return make_resnet(32, kSmall, k, g); }},
      {"resnet56", [](Generator& g, int64_t k) { return make_resnet(56, kSmall, k, g); }},
      {"resnet110", [](Generator& g, int64_t k) { return make_resnet(110, kSmall, k, g); }},
      {"wrn_16_2", [](Generator& g, int64_t k) { return make_wrn(16, 2, k, g); }},
      {"wrn_40_1", [](Generator& g, int64_t k) { return make_wrn(40, 1, k, g); }},
      {"wrn_40_2", [](Generator& g, int64_t k) { return make_wrn(40, 2, k, g); }},
      {"vgg8",
       [](Generator& g, int64_t k) {
         return make_vgg_bn({{64}, {128}, {256}, {512}, {512}}, k, g);
       }},
      {"vgg13",
       [](Generator& g, int64_t k) {
         return make_vgg_bn({{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}}, k, g);
       }},
      {"MobileNetV2", [](Generator& g, int64_t k) { return make_mobilenetv2(6, 0.5, k, g); }},
      {"ShuffleV1",
       [](Generator& g, int64_t k) {
         return make_shufflenet_v1({240, 480, 960}, {4, 8, 4}, 3, k, g);
       }},
      {"ResNet50",
       [](Generator& g, int64_t k) {
         return make_resnet_v2_bottleneck({3, 4, 6, 3}, k, g);
       }},
  };
  return t;
}

}  // namespace

std::shared_ptr<Module> create(const std::string& name, Generator& gen, int64_t num_classes) {
  ZKD_CHECK(num_classes >= 1, "nets::create", "expected num_classes >= 1, got ", num_classes);
  for (const auto& entry : table())
    if (entry.first == name) return entry.second(gen, num_classes);
  std::ostringstream known;
  for (const auto& entry : table()) known << (known.tellp() > 0 ? ", " : "") << entry.first;
  ZKD_FAIL("nets::create",
           "expected one of the model names " + known.str() + ", got '" + name + "'");
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& entry : table()) out.push_back(entry.first);
  return out;
}

bool exists(const std::string& name) {
  for (const auto& entry : table())
    if (entry.first == name) return true;
  return false;
}

}  // namespace zkd::nets
