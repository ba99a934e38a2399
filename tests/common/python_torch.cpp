// Whether /usr/bin/python3 imports modules (see python_torch.h).
#include "tests/common/python_torch.h"

#include <cstdlib>
#include <map>

namespace zkd::test {

bool python_imports(const std::string& modules) {
  static std::map<std::string, bool> known;
  auto it = known.find(modules);
  if (it == known.end())
    it =
        known
            .emplace(
                modules,
                std::system(
                    ("/usr/bin/python3 -c 'import " + modules + "' > /dev/null 2>&1").c_str()) == 0)
            .first;
  return it->second;
}

}  // namespace zkd::test
