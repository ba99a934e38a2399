// SIGINT / SIGTERM handling for training: the first signal sets a flag that the loop checks after
// each step (finish the step, write a checkpoint, exit non-zero); a second one exits at once.
#pragma once

namespace zkd::app {

void install_interrupt_handler();
bool interrupted();

}  // namespace zkd::app
