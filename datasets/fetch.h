// Getting CIFAR-100 onto disk: download the official tarball (curl or wget) or take a local one,
// verify it (the official md5, or the sha256 of this project's copy or of every member file),
// and unpack it atomically to DATA_DIR/cifar-100-binary (temporary folder, then rename).
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "datasets/archive.h"

namespace zkd::data {

constexpr const char* kCifar100Url = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz";
constexpr const char* kCifar100Md5 = "03b5dce01913d631647c71ecec9e9cb8";  // official tarball

struct KnownDigest {
  const char* name;  // tarball, or a member's base name
  const char* sha256;
};
// sha256 of the tarball rebuilt for this project and of the four member files
// (../shared/data/README.md); member digests hold for any tarball with the official content.
const std::vector<KnownDigest>& cifar100_known_sha256();

struct FetchOptions {
  std::string data_dir;  // where cifar-100-binary/ goes
  std::string from;      // a local tarball to install instead of downloading
  std::string url = kCifar100Url;
  bool force = false;  // replace an installed copy
};

// Downloads (or takes `from`), verifies and installs; returns the installed folder. Progress
// lines go to `log` when not null. Errors are zkd::Error; a failed download suggests --from.
std::string fetch_cifar100(const FetchOptions& opt, std::ostream* log = nullptr);

// Verifies an in-memory tarball before anything is unpacked: first the digest of the whole file
// (md5 of the official tarball or sha256 of this project's copy), checked before the archive is
// parsed at all; failing that, a repacked tarball is opened by libarchive under
// kCifarArchiveLimits and each member's sha256 must match. Fills `members` with the four files
// and returns which check passed; throws a zkd::Error listing the digests found when none does.
std::string verify_cifar100_tarball(const std::string& gz, const std::string& origin,
                                    std::vector<ArchiveMember>* members);

// Unpacks the four verified members into data_dir/cifar-100-binary atomically, after checking
// them with the reader. No digest check (fetch_cifar100 does that first).
std::string unpack_cifar100(const std::vector<ArchiveMember>& members, const std::string& data_dir,
                            bool force, const std::string& origin);

}  // namespace zkd::data
