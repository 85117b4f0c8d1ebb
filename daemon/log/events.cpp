// events.cpp — see events.h.
#include "daemon/log/events.h"

#include <array>

namespace madoguchi::daemon {
namespace {
constexpr std::array kCatalog{
#define MADOGUCHI_EVENT_INFO(name, group, meaning) EventInfo{Event::name, #name, group, meaning},
    MADOGUCHI_LOG_EVENTS(MADOGUCHI_EVENT_INFO)
#undef MADOGUCHI_EVENT_INFO
};
}  // namespace

std::span<const EventInfo> event_catalog() { return kCatalog; }

std::string_view to_string(Event e) { return kCatalog[static_cast<std::size_t>(e)].name; }

}  // namespace madoguchi::daemon
