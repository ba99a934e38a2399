// Signal flag for a clean stop of training.
#include "apps/run/interrupt.h"

#include <unistd.h>
#include <csignal>
#include <cstdlib>

namespace zkd::app {

namespace {
volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) {
  if (g_interrupted) _exit(130);  // a second signal: stop now
  g_interrupted = 1;
  const char msg[] = "\nzkd: interrupt received; finishing the step and writing a checkpoint\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
}
}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() {
  return g_interrupted != 0;
}

}  // namespace zkd::app
