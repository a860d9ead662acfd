#include "agent/model/taint_json.h"

namespace daemonlet::model {

Json taintsToJson(const std::vector<Taint>& taints) {
  Json array = Json::array();
  for (const Taint& taint : taints) {
    Json item = {{"key", taint.key}};
    if (!taint.value.empty()) item["value"] = taint.value;
    item["effect"] = taint.effect;
    array.push_back(std::move(item));
  }
  return array;
}

}  // namespace daemonlet::model
