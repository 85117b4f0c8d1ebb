#include "daemon/service/decision_json.h"

#include "rules/calendar.h"

namespace madoguchi::daemon {

nlohmann::ordered_json decision_json(const rules::Decision& d, std::chrono::minutes offset, bool explain) {
  using Json = nlohmann::ordered_json;
  auto opt = [](const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); };
  Json j{{"desk", d.desk},
         {"identity", rules::to_string(d.identity)},
         {"tenant", opt(d.tenant)},
         {"contract", opt(d.contract)},
         {"outcome", rules::to_string(d.outcome)},
         {"action", rules::to_string(d.action)},
         {"rule", opt(d.rule)},
         {"matched", d.matched},
         {"auto_reply", d.auto_reply},
         {"template", d.template_name},
         {"received_at", rules::format_iso8601(d.received_at, offset)},
         {"accepted_at", rules::format_iso8601(d.accepted_at, offset)},
         {"next_open", rules::format_iso8601(d.next_open, offset)},
         {"first_response_due", rules::format_iso8601(d.first_response_due, offset)},
         {"queued", d.queued},
         {"reason", opt(d.reason)},
         {"reason_text", opt(d.reason_text)},
         {"cite", opt(d.cite)},
         {"refusal_template", opt(d.refusal_template)},
         {"loop_reason", opt(d.loop_reason)},
         {"language_note", d.language_note}};
  if (explain) {
    Json trace = Json::array();
    for (const auto& t : d.trace)
      trace.push_back({{"rule", t.rule}, {"matched", t.matched}, {"note", t.note}, {"conditions", t.conditions}});
    j["explain"] = std::move(trace);
  }
  return j;
}

}  // namespace madoguchi::daemon
