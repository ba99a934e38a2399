// fetch_cifar100 and its parts: download by shelling out to curl or wget, digest checks, and the
// atomic unpack (write to a hidden temporary folder, validate, rename into place).
#include "datasets/fetch.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "datasets/checksum.h"
#include "datasets/cifar100.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"

namespace fs = std::filesystem;

namespace zkd::data {
namespace {

const char* const kMembers[] = {"train.bin", "test.bin", "fine_label_names.txt",
                                "coarse_label_names.txt"};

std::string known_sha(const std::string& name) {
  for (const KnownDigest& k : cifar100_known_sha256())
    if (name == k.name) return k.sha256;
  return "";
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

bool have_command(const char* name) {
  return std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0;
}

std::string fetch_hint(const std::string& data_dir) {
  return "Download cifar-100-binary.tar.gz on a machine with network access (" +
         std::string(kCifar100Url) + ") and install it with: ./build/apps/zkd-data fetch --data " +
         data_dir + " --from /path/to/cifar-100-binary.tar.gz";
}

// Removes a path on scope exit unless released.
struct Cleanup {
  fs::path path;
  ~Cleanup() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

const std::vector<KnownDigest>& cifar100_known_sha256() {
  static const std::vector<KnownDigest> kKnown = {
      {"cifar-100-binary.tar.gz",
       "5a6237c4d7561981ef5faa670ec9843952cf4b7f4242f974acf93723f37af0e1"},
      {"train.bin", "f31298fc616915fa142368359df1c4ca2ae984d6915ca468b998a5ec6aeebf29"},
      {"test.bin", "0963a711c782a600e363bd27b2591918dc74a2e98edcd81325889cbdbe2d73fc"},
      {"fine_label_names.txt", "4a53f81a8af29bb6aa646bfe2c455db1b061edfde82a39c0cfc313ef536c681b"},
      {"coarse_label_names.txt",
       "14e28b5b70e3d8a29704b0d9f8c5985cca5f3c3d08ea043dcc87a036df37a2b3"}};
  return kKnown;
}

std::string verify_cifar100_tarball(const std::string& gz, const std::string& origin,
                                    std::vector<ArchiveMember>* members) {
  std::vector<std::string> names(std::begin(kMembers), std::end(kMembers));
  std::string md5 = md5_hex(gz), sha = sha256_hex(gz);
  std::string how;
  if (md5 == kCifar100Md5) how = "md5 of the official tarball";
  if (sha == known_sha("cifar-100-binary.tar.gz")) how = "sha256 of the tarball";
  if (!how.empty()) {
    *members = read_archive(gz, names, origin, kCifarArchiveLimits);
    return how;
  }
  // A repacked tarball with the official content: every member's sha256 must match.
  std::string report;
  bool all = true;
  try {
    *members = read_archive(gz, names, origin, kCifarArchiveLimits);
    for (const char* m : kMembers) {
      const ArchiveMember* e = find_member(*members, m);
      std::string got = e ? sha256_hex(e->bytes) : "missing";
      all = all && got == known_sha(m);
      report += std::string("\n  ") + m + ": sha256 " + got + " (expected " + known_sha(m) + ")";
    }
  } catch (const Error& e) {
    all = false;
    report = std::string("\n  ") + e.what();
  }
  if (all) return "sha256 of every member file";
  members->clear();
  ZKD_FAIL("fetch", "expected '", origin, "' to be CIFAR-100 (md5 ", kCifar100Md5, ", or sha256 ",
           known_sha("cifar-100-binary.tar.gz"), ", or known member digests), got md5 ", md5,
           ", sha256 ", sha, report,
           "\nThe file is corrupt or not the CIFAR-100 binary version; download it again.");
}

std::string unpack_cifar100(const std::vector<ArchiveMember>& members, const std::string& data_dir,
                            bool force, const std::string& origin) {
  fs::create_directories(data_dir);
  fs::path final_dir = fs::path(data_dir) / kCifarFolderName;
  std::string pid = std::to_string(static_cast<long>(::getpid()));
  Cleanup tmp{fs::path(data_dir) / (std::string(".") + kCifarFolderName + ".tmp-" + pid)};
  fs::remove_all(tmp.path);
  fs::create_directories(tmp.path);
  for (const char* m : kMembers) {  // fixed names: nothing from the archive names a path
    const ArchiveMember* e = find_member(members, m);
    ZKD_CHECK(e != nullptr, "fetch", "expected ", m, " in '", origin,
              "', got a tarball without it");
    write_file_atomic((tmp.path / m).string(), e->bytes);
  }
  load_cifar100(tmp.path.string());  // the reader's checks, before anything is replaced
  if (fs::exists(final_dir)) {
    ZKD_CHECK(force, "fetch", "expected no CIFAR-100 at '", final_dir.string(),
              "', got one already (use --force to replace it)");
    Cleanup old{fs::path(data_dir) / (std::string(".") + kCifarFolderName + ".old-" + pid)};
    fs::rename(final_dir, old.path);
    fs::rename(tmp.path, final_dir);
  } else {
    fs::rename(tmp.path, final_dir);
  }
  tmp.path.clear();
  return final_dir.string();
}

std::string fetch_cifar100(const FetchOptions& opt, std::ostream* log) {
  ZKD_CHECK(!opt.data_dir.empty(), "fetch", "expected a data directory, got an empty path");
  fs::path final_dir = fs::path(opt.data_dir) / kCifarFolderName;
  if (!opt.force && fs::exists(final_dir)) {
    load_cifar100(final_dir.string());  // reports a damaged copy instead of calling it installed
    if (log)
      *log << "CIFAR-100 is already installed at " << final_dir.string()
           << " (--force replaces it)\n";
    return final_dir.string();
  }
  fs::create_directories(opt.data_dir);
  std::string tarball = opt.from;
  Cleanup download;
  if (tarball.empty()) {
    download.path = fs::path(opt.data_dir) / (".cifar-100-binary.tar.gz.part-" +
                                              std::to_string(static_cast<long>(::getpid())));
    std::string dst = shell_quote(download.path.string()), url = shell_quote(opt.url);
    std::string cmd, tool;
    if (have_command("curl")) {
      tool = "curl";
      cmd = "curl -fL --retry 2 --connect-timeout 20 -o " + dst + " " + url;
    } else if (have_command("wget")) {
      tool = "wget";
      cmd = "wget -q --tries=3 --timeout=20 -O " + dst + " " + url;
    }
    ZKD_CHECK(!tool.empty(), "fetch", "expected curl or wget to download ", opt.url,
              ", got neither on PATH. ", fetch_hint(opt.data_dir));
    if (log) *log << "downloading " << opt.url << " with " << tool << "\n" << std::flush;
    int rc = std::system(cmd.c_str());
    ZKD_CHECK(rc == 0, "fetch", "expected to download ", opt.url, ", got ", tool, " exit status ",
              WIFEXITED(rc) ? WEXITSTATUS(rc) : rc, " (the network may be closed). ",
              fetch_hint(opt.data_dir));
    tarball = download.path.string();
  }
  if (log) *log << "reading " << tarball << "\n" << std::flush;
  std::string gz = read_file(tarball, "fetch", kCifarMaxTarballBytes);
  std::vector<ArchiveMember> members;
  std::string how = verify_cifar100_tarball(gz, tarball, &members);
  if (log) *log << "verified: " << how << "\n" << std::flush;
  std::string dir = unpack_cifar100(members, opt.data_dir, opt.force, tarball);
  if (log) *log << "installed CIFAR-100 at " << dir << "\n";
  return dir;
}

}  // namespace zkd::data
