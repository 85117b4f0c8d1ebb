// decision_json.h — the JSON form of a rules decision: what `madoguchi classify` prints and
// what the store keeps with each message (`ticket show`). One writer, so the two never differ.
#pragma once
#include "rules/policy.h"

#include <nlohmann/json.hpp>

#include <chrono>

namespace madoguchi::daemon {

// Times are written with `offset` (+09:00 for Japan). `explain` adds the per-rule trace.
nlohmann::ordered_json decision_json(const rules::Decision& d, std::chrono::minutes offset,
                                     bool explain = false);

}  // namespace madoguchi::daemon
