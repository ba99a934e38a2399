// gunzip / gzip through zlib, and a tar reader and writer covering what data-set tarballs use:
// ustar headers, GNU long names ('L') and pax path records ('x'); links and devices are skipped.
#include "datasets/archive.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "engine/core/error.h"

namespace zkd::data {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string gunzip(const std::string& gz, const std::string& origin) {
  ZKD_CHECK(
      gz.size() >= 18 && static_cast<uint8_t>(gz[0]) == 0x1f && static_cast<uint8_t>(gz[1]) == 0x8b,
      "gunzip", "expected a gzip file (magic 1f 8b) in '", origin, "', got ", gz.size(),
      " bytes without that header");
  std::string out;
  // The last 4 bytes hold the uncompressed size mod 2^32: a good first guess for the buffer.
  uint32_t isize = 0;
  std::memcpy(&isize, gz.data() + gz.size() - 4, 4);
  out.resize(std::max<size_t>(isize, gz.size()) + 1024);

  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  ZKD_CHECK(inflateInit2(&zs, 15 + 32) == Z_OK, "gunzip", "expected zlib to initialize, got ",
            zs.msg ? zs.msg : "an error");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  size_t in_left = gz.size();
  size_t produced = 0;
  size_t whole = 0;  // output of the members that ended cleanly
  int rc = Z_OK;
  while (true) {
    if (produced == out.size()) out.resize(out.size() * 2);
    uInt in_chunk = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
    uInt out_chunk = static_cast<uInt>(std::min<size_t>(out.size() - produced, 1u << 30));
    zs.avail_in = in_chunk;
    zs.next_out = reinterpret_cast<Bytef*>(&out[produced]);
    zs.avail_out = out_chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_chunk - zs.avail_in;
    produced += out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) {
      whole = produced;
      // Another gzip member may follow (concatenated .gz files are one stream).
      if (in_left == 0 || inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (rc == Z_BUF_ERROR && in_left == 0) break;  // input ended inside the stream
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
  }
  std::string msg = zs.msg ? zs.msg : "";
  inflateEnd(&zs);
  // Bytes after a complete member that do not start another one (padding) are ignored, as gzip
  // does; a member that starts and breaks off is an error.
  bool ok = rc == Z_STREAM_END || (whole > 0 && produced == whole);
  ZKD_CHECK(ok, "gunzip", "expected a complete gzip stream in '", origin, "', got ",
            (rc == Z_BUF_ERROR ? "a truncated file" : "corrupt data"),
            msg.empty() ? "" : " (zlib: ", msg, msg.empty() ? "" : ")", " after ", produced,
            " output bytes");
  produced = whole;
  out.resize(produced);
  return out;
}

std::string gzip_bytes(const std::string& raw) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  ZKD_CHECK(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK, "gzip",
            "expected zlib to initialize, got an error");
  std::string out(deflateBound(&zs, static_cast<uLong>(raw.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(&out[0]);
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t n = out.size() - zs.avail_out;
  deflateEnd(&zs);
  ZKD_CHECK(rc == Z_STREAM_END, "gzip", "expected deflate to finish, got zlib code ", rc);
  out.resize(n);
  return out;
}

namespace {

constexpr size_t kBlock = 512;

// A numeric header field: octal text, or GNU base-256 when the top bit of the first byte is set.
uint64_t tar_number(const char* p, size_t n) {
  const uint8_t* u = reinterpret_cast<const uint8_t*>(p);
  if (u[0] & 0x80) {
    uint64_t v = u[0] & 0x7f;
    for (size_t i = 1; i < n; ++i) v = (v << 8) | u[i];
    return v;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n && p[i]; ++i) {
    if (p[i] == ' ') continue;
    if (p[i] < '0' || p[i] > '7') break;
    v = v * 8 + static_cast<uint64_t>(p[i] - '0');
  }
  return v;
}

std::string field(const char* p, size_t n) {
  return std::string(p, strnlen(p, n));
}

// The "path" record of a pax extended header ("<len> path=<value>\n" records), or "".
std::string pax_path(const std::string& data) {
  size_t pos = 0;
  while (pos < data.size()) {
    size_t sp = data.find(' ', pos);
    if (sp == std::string::npos) break;
    size_t len = std::strtoul(data.c_str() + pos, nullptr, 10);
    if (len == 0 || pos + len > data.size()) break;
    std::string rec = data.substr(sp + 1, pos + len - sp - 2);  // without the trailing '\n'
    if (rec.compare(0, 5, "path=") == 0) return rec.substr(5);
    pos += len;
  }
  return "";
}

void write_octal(char* p, size_t n, uint64_t v) {
  // n-1 octal digits and a NUL, as ustar writes them.
  for (size_t i = n - 1; i-- > 0; v /= 8) p[i] = static_cast<char>('0' + (v % 8));
  p[n - 1] = '\0';
}

}  // namespace

std::vector<TarEntry> tar_entries(const std::string& tar, const std::string& origin) {
  std::vector<TarEntry> out;
  std::string long_name;
  size_t pos = 0;
  while (pos + kBlock <= tar.size()) {
    const char* h = tar.data() + pos;
    bool zero = true;
    for (size_t i = 0; i < kBlock && zero; ++i) zero = h[i] == 0;
    if (zero) return out;  // end-of-archive marker

    uint64_t sum = 0;
    for (size_t i = 0; i < kBlock; ++i)
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<uint8_t>(h[i]);
    uint64_t stored = tar_number(h + 148, 8);
    ZKD_CHECK(sum == stored, "tar", "expected a valid header checksum at byte ", pos, " of '",
              origin, "' (entry ", out.size(), "), got ", stored, " instead of ", sum,
              ": not a tar file, or corrupt");

    std::string name = field(h, 100);
    std::string prefix = field(h + 345, 155);
    if (std::memcmp(h + 257, "ustar", 5) == 0 && !prefix.empty()) name = prefix + "/" + name;
    uint64_t size = tar_number(h + 124, 12);
    char type = h[156];
    size_t data = pos + kBlock;
    ZKD_CHECK(data + size <= tar.size(), "tar", "expected entry '", name, "' of ", size,
              " bytes to lie inside '", origin, "' (", tar.size(), " bytes), got a truncated file");
    if (type == 'L') {
      long_name = field(tar.data() + data, size);
    } else if (type == 'x') {
      std::string p = pax_path(tar.substr(data, size));
      if (!p.empty()) long_name = p;
    } else {
      if (type == '0' || type == '\0' || type == '7') {
        TarEntry e;
        e.name = long_name.empty() ? name : long_name;
        e.offset = data;
        e.size = size;
        out.push_back(e);
      }
      long_name.clear();
    }
    pos = data + (size + kBlock - 1) / kBlock * kBlock;
  }
  ZKD_CHECK(pos == tar.size(), "tar", "expected '", origin,
            "' to end with whole 512-byte blocks, got ", tar.size() - pos, " trailing bytes");
  return out;  // no end marker: accepted, as GNU tar does with a warning
}

std::string tar_pack(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [name, bytes] : files) {
    ZKD_CHECK(!name.empty() && name.size() < 100, "tar_pack",
              "expected a name of 1 to 99 characters, got '", name, "'");
    char h[kBlock];
    std::memset(h, 0, kBlock);
    std::memcpy(h, name.data(), name.size());
    write_octal(h + 100, 8, 0644);
    write_octal(h + 108, 8, 0);
    write_octal(h + 116, 8, 0);
    write_octal(h + 124, 12, bytes.size());
    write_octal(h + 136, 12, 0);
    h[156] = '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    uint64_t sum = 0;
    for (size_t i = 0; i < kBlock; ++i) sum += static_cast<uint8_t>(h[i]);
    write_octal(h + 148, 7, sum);
    h[155] = ' ';
    out.append(h, kBlock);
    out += bytes;
    out.append((kBlock - bytes.size() % kBlock) % kBlock, '\0');
  }
  out.append(2 * kBlock, '\0');
  return out;
}

}  // namespace zkd::data
