// Progress bar / plain progress lines (see progress.h).
#include "apps/report/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdarg>

namespace zkd::app {

namespace {
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

using ll = long long;

std::string fit(std::string s, size_t columns) {
  if (s.size() > columns) s.resize(columns);
  return s;
}
}  // namespace

std::string format_duration(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  long t = static_cast<long>(s + 0.5);
  if (t >= 3600) return fmt("%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  return fmt("%ld:%02ld", t / 60, t % 60);
}

std::string epoch_summary(int64_t epoch, int64_t epochs, double train_loss, double train_acc,
                          double test_loss, double top1, double top5, double seconds) {
  std::string s = fmt("epoch %lld/%lld  train %.4g %.2f%%  test %.4g top-1 %.2f%% top-5 %.2f%%",
                      ll(epoch), ll(epochs), train_loss, train_acc, test_loss, top1, top5);
  std::string t = "  " + format_duration(seconds);
  return fit(s.size() + t.size() <= 80 ? s + t : s, 80);
}

Progress::Progress(std::FILE* out, int64_t epochs, int64_t steps_per_epoch, int tty)
    : out_(out),
      tty_(tty < 0 ? isatty(fileno(out)) != 0 : tty != 0),
      epochs_(epochs),
      steps_(std::max<int64_t>(steps_per_epoch, 1)) {}

void Progress::start_epoch(int64_t epoch, int64_t first_step) {
  epoch_ = epoch;
  first_step_ = step_ = first_step;
  evaluating_ = false;
  epoch_start_ = std::chrono::steady_clock::now();
}

double Progress::run_eta_seconds() const {
  using namespace std::chrono;
  double now = evaluating_ ? duration<double>(eval_start_ - epoch_start_).count()
                           : duration<double>(steady_clock::now() - epoch_start_).count();
  int64_t done = train_steps_ + (step_ - first_step_);
  if (done <= 0) return -1;
  double per_step = (train_secs_ + now) / static_cast<double>(done);
  int64_t steps_left =
      (evaluating_ ? 0 : steps_ - step_) + steps_ * std::max<int64_t>(epochs_ - epoch_, 0);
  int64_t evals_left = epochs_ - epoch_ + 1;
  double eval = eval_secs_ >= 0 ? eval_secs_ : 0;
  if (evaluating_)
    eval = std::max(0.0, eval - duration<double>(steady_clock::now() - eval_start_).count());
  return per_step * static_cast<double>(steps_left) + eval * static_cast<double>(evals_left);
}

void Progress::update(int64_t step, double loss, int64_t images) {
  step_ = step;
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start_).count();
  double ips = secs > 0 ? static_cast<double>(images) / secs : 0;
  int64_t done = step - first_step_;
  double eta =
      done > 0 ? secs / static_cast<double>(done) * static_cast<double>(steps_ - step) : -1;
  std::string head = fmt("epoch %lld/%lld", ll(epoch_), ll(epochs_));
  std::string tail =
      fmt("%lld/%lld loss %.4f %.0f img/s ETA %s run %s", ll(step), ll(steps_), loss, ips,
          format_duration(eta).c_str(), format_duration(run_eta_seconds()).c_str());
  if (!tty_) {
    show(head + " step " + tail);
    return;
  }
  int room = kProgressColumns - static_cast<int>(head.size() + tail.size()) - 4;  // " [" "] "
  if (room < 4) {
    show(head + " " + tail);
    return;
  }
  int width = std::min(room, 24);
  int fill = static_cast<int>(width * step / steps_);
  show(head + " [" + std::string(fill, '#') + std::string(width - fill, '.') + "] " + tail);
}

void Progress::evaluating(int64_t test_images) {
  evaluating_ = true;
  eval_start_ = std::chrono::steady_clock::now();
  show(fmt("epoch %lld/%lld evaluating on %lld test images... run %s", ll(epoch_), ll(epochs_),
           ll(test_images), format_duration(run_eta_seconds()).c_str()));
}

void Progress::show(const std::string& line) {
  if (tty_)
    std::fprintf(out_, "\r\033[K%s", fit(line, kProgressColumns).c_str());
  else
    std::fprintf(out_, "%s\n", fit(line, 80).c_str());
  std::fflush(out_);
}

void Progress::finish(const std::string& summary) {
  auto now = std::chrono::steady_clock::now();
  if (evaluating_) {
    eval_secs_ = std::chrono::duration<double>(now - eval_start_).count();
    train_secs_ += std::chrono::duration<double>(eval_start_ - epoch_start_).count();
    train_steps_ += step_ - first_step_;
  }
  evaluating_ = false;
  if (tty_) std::fprintf(out_, "\r\033[K");
  std::fprintf(out_, "%s\n", summary.c_str());
  std::fflush(out_);
}

}  // namespace zkd::app
