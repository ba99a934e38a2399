// Progress bar / plain progress lines.
#include "apps/common/progress.h"

#include <unistd.h>

namespace zkd::app {

std::string format_duration(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

Progress::Progress(std::FILE* out, int64_t epoch, int64_t epochs, int64_t steps)
    : out_(out),
      tty_(isatty(fileno(out)) != 0),
      epoch_(epoch),
      epochs_(epochs),
      steps_(steps),
      start_(std::chrono::steady_clock::now()) {}

void Progress::update(int64_t step, double loss, int64_t images) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double ips = secs > 0 ? images / secs : 0;
  double eta = step > 0 ? secs / step * (steps_ - step) : 0;
  if (tty_) {
    int width = 24, fill = static_cast<int>(width * step / std::max<int64_t>(steps_, 1));
    std::fprintf(out_, "\repoch %lld/%lld [%s%s] %lld/%lld loss %.4f %.0f img/s ETA %s   ",
                 static_cast<long long>(epoch_), static_cast<long long>(epochs_),
                 std::string(fill, '#').c_str(), std::string(width - fill, '.').c_str(),
                 static_cast<long long>(step), static_cast<long long>(steps_), loss, ips,
                 format_duration(eta).c_str());
  } else {
    std::fprintf(out_, "epoch %lld/%lld step %lld/%lld loss %.4f %.0f img/s ETA %s\n",
                 static_cast<long long>(epoch_), static_cast<long long>(epochs_),
                 static_cast<long long>(step), static_cast<long long>(steps_), loss, ips,
                 format_duration(eta).c_str());
  }
  std::fflush(out_);
}

void Progress::finish(const std::string& summary) {
  if (tty_) std::fprintf(out_, "\r\033[K");
  std::fprintf(out_, "%s\n", summary.c_str());
  std::fflush(out_);
}

}  // namespace zkd::app
