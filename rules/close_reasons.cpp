// close_reasons.cpp — see close_reasons.h.
#include "rules/close_reasons.h"

#include <array>

namespace madoguchi::rules {
namespace {
constexpr std::array<CloseReasonInfo, 10> kReasons{{
    {CloseReason::answered_spec, "answered_spec", "仕様についてご回答いたしました"},
    {CloseReason::answered_howto, "answered_howto", "設定・操作方法についてご回答いたしました"},
    {CloseReason::resolved, "resolved", "事象が解決いたしました"},
    {CloseReason::workaround, "workaround", "回避策をご提示いたしました"},
    {CloseReason::defect_located, "defect_located", "不具合箇所を特定いたしました"},
    {CloseReason::no_progress, "no_progress", "これ以上の調査の進展が見込めないため、対応を終了いたします"},
    {CloseReason::transient, "transient", "一時的な事象のため、発生時の手順をご案内いたしました"},
    {CloseReason::not_a_defect, "not_a_defect", "不具合ではなく仕様どおりの動作であることをご説明いたしました"},
    {CloseReason::out_of_scope, "out_of_scope", "サポート対象外のお問い合わせのため、対応を終了いたします"},
    {CloseReason::agreed, "agreed", "お客様とのご合意により、対応を終了いたします"},
}};
static_assert(static_cast<std::size_t>(CloseReason::agreed) + 1 == kReasons.size());
}  // namespace

std::span<const CloseReasonInfo> close_reasons() { return kReasons; }
std::string_view to_string(CloseReason r) { return kReasons[static_cast<std::size_t>(r)].name; }
std::string_view japanese_text(CloseReason r) { return kReasons[static_cast<std::size_t>(r)].japanese; }

std::optional<CloseReason> parse_close_reason(std::string_view name) {
  for (const auto& r : kReasons)
    if (r.name == name) return r.reason;
  return std::nullopt;
}

}  // namespace madoguchi::rules
