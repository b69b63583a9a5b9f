// SIGINT / SIGTERM / SIGHUP become a flag that every wait polls, so a run
// that is interrupted unwinds normally and its RAII guards tear down.
#pragma once

namespace closepath {

void install_interrupt_handlers();
bool interrupted();
// Throws Interrupted when a signal has arrived.
void check_interrupted();

}  // namespace closepath
