// close_reasons.h — the completion reasons a ticket closes with (SPEC.md §5, the seeds'
// Q&A の完了): one list, with the Japanese wording used in closing notices. Staff commands,
// the CLI, the store's CHECK list and the closed_<reason> templates all read it from here.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace madoguchi::rules {

enum class CloseReason {
  answered_spec,
  answered_howto,
  resolved,
  workaround,
  defect_located,
  no_progress,
  transient,
  not_a_defect,
  out_of_scope,
  agreed,
};

struct CloseReasonInfo {
  CloseReason reason;
  std::string_view name;      // "answered_spec": commands, CLI, store, template closed_<name>
  std::string_view japanese;  // "仕様についてご回答いたしました": closing notices
};

// Every reason, in the order above.
std::span<const CloseReasonInfo> close_reasons();
std::string_view to_string(CloseReason r);
std::string_view japanese_text(CloseReason r);
std::optional<CloseReason> parse_close_reason(std::string_view name);

}  // namespace madoguchi::rules
