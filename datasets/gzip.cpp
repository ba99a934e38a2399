// gunzip on zlib's inflate with windowBits 15 + 16 (gzip wrapper: zlib itself compares the
// trailer's CRC-32 and ISIZE with the data and reports Z_DATA_ERROR on a mismatch).
#include "datasets/gzip.h"

#include <zlib.h>

#include <algorithm>

#include "engine/core/error.h"

namespace zkd::data {

bool is_gzip(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(const std::string& gz, const std::string& origin, uint64_t max_bytes) {
  const std::string op = "gzip '" + origin + "'";
  z_stream z{};
  ZKD_CHECK(inflateInit2(&z, 15 + 16) == Z_OK, op, "expected zlib to start, got out of memory");
  std::string out;
  size_t at = 0;  // input consumed by finished members
  int members = 0;
  try {
    while (at < gz.size()) {
      ZKD_CHECK(is_gzip(gz.substr(at, 2)), op, "expected a gzip member at byte ", at, ", got ",
                members == 0 ? "other data (not gzip)" : "trailing bytes after the last member");
      ZKD_CHECK(inflateReset(&z) == Z_OK, op, "expected zlib to restart, got an error");
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + at));
      size_t left = gz.size() - at;
      z.avail_in = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
      int rc = Z_OK;
      while (rc != Z_STREAM_END) {
        if (z.avail_in == 0 && left > 0)  // inputs over 1 GiB: feed the rest
          z.avail_in = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
        size_t old = out.size();
        uint64_t room = std::min<uint64_t>(max_bytes - old, 1u << 20);
        // One byte past the cap is asked for, so that "more than max_bytes" is seen.
        out.resize(old + static_cast<size_t>(room) + (old + room == max_bytes ? 1 : 0));
        z.next_out = reinterpret_cast<Bytef*>(&out[old]);
        z.avail_out = static_cast<uInt>(out.size() - old);
        const uInt in_before = z.avail_in;
        rc = inflate(&z, Z_NO_FLUSH);
        left -= in_before - z.avail_in;
        out.resize(out.size() - z.avail_out);
        ZKD_CHECK(out.size() <= max_bytes, op, "expected at most ", max_bytes,
                  " bytes decompressed, got more");
        ZKD_CHECK(rc != Z_BUF_ERROR || left > 0, op,
                  "expected the rest of the gzip stream, got the end of the file (truncated)");
        ZKD_CHECK(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR, op,
                  "expected intact gzip data, got ", z.msg ? z.msg : "a zlib error",
                  " (the file is damaged)");
      }
      at = gz.size() - left;
      ++members;
    }
  } catch (...) {
    inflateEnd(&z);
    throw;
  }
  inflateEnd(&z);
  return out;
}

}  // namespace zkd::data
