// load_image_folder: walks root/<class>/ and decodes every image through load_image_32.
#include "datasets/image_folder.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "datasets/image_io.h"

namespace fs = std::filesystem;

namespace zkd::data {

ImageSet load_image_folder(const std::string& root, bool resize) {
  ZKD_CHECK(fs::is_directory(root), "image_folder",
            "expected a folder with one subfolder per "
            "class at '",
            root, "', got ", fs::exists(root) ? "a file" : "nothing");
  std::vector<std::string> classes;
  for (const fs::directory_entry& e : fs::directory_iterator(root)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (e.is_directory())
      classes.push_back(name);
    else
      ZKD_CHECK(!is_image_file(name), "image_folder",
                "expected images inside class subfolders "
                "of '",
                root, "', got the image '", e.path().string(), "' directly in it");
  }
  std::sort(classes.begin(), classes.end());
  ZKD_CHECK(!classes.empty(), "image_folder", "expected one subfolder per class in '", root,
            "', got none");

  std::vector<std::pair<std::string, int64_t>> files;  // path, label
  for (size_t c = 0; c < classes.size(); ++c) {
    std::vector<std::string> paths;
    for (const fs::directory_entry& e : fs::directory_iterator(fs::path(root) / classes[c])) {
      std::string name = e.path().filename().string();
      if (!name.empty() && name[0] != '.' && e.is_regular_file() && is_image_file(name))
        paths.push_back(e.path().string());
    }
    std::sort(paths.begin(), paths.end());
    ZKD_CHECK(!paths.empty(), "image_folder",
              "expected at least one .png/.jpg/.jpeg/.bmp image "
              "in the class folder '",
              (fs::path(root) / classes[c]).string(), "', got none");
    for (const std::string& p : paths) files.emplace_back(p, static_cast<int64_t>(c));
  }

  ImageSet set = make_image_set(static_cast<int64_t>(files.size()), /*with_coarse=*/false);
  set.class_names = classes;
  uint8_t* dst = set.images.data<uint8_t>();
  int64_t* lab = set.labels.data<int64_t>();
  for (size_t i = 0; i < files.size(); ++i) {
    Tensor img = load_image_32(files[i].first, resize);  // uint8 [3, 32, 32]
    std::memcpy(dst + i * kImageBytes, img.data<uint8_t>(), kImageBytes);
    lab[i] = files[i].second;
  }
  return set;
}

}  // namespace zkd::data
