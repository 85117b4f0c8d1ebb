// notify.h — systemd's Type=notify protocol (sd_notify): READY, RELOADING, STOPPING and the
// watchdog. Each call is a no-op without $NOTIFY_SOCKET (not under systemd).
#pragma once

#include <chrono>
#include <optional>

namespace madoguchi::daemon {

void notify_ready();
void notify_reloading();  // followed by notify_ready() when the reload is done or refused
void notify_stopping();
void notify_watchdog();
// How often to kick the watchdog (half of WatchdogSec=), when systemd asked for it.
std::optional<std::chrono::microseconds> watchdog_kick_interval();

}  // namespace madoguchi::daemon
