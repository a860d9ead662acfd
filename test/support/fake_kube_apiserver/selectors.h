#pragma once
// Label and field selectors as the API server reads them from ?labelSelector=
// and ?fieldSelector= (test support). Equality-based labels: "k=v", "k==v",
// "k!=v", "k" (exists), "!k" (does not exist), comma = AND. Field selectors:
// metadata.name and metadata.namespace with =, == and !=.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace daemonlet::fakekube {

using Json = nlohmann::ordered_json;

struct SelectorTerm {
  enum class Op { kEquals, kNotEquals, kExists, kNotExists };
  std::string key;
  Op op = Op::kEquals;
  std::string value;
};

class Selector {
 public:
  // nullopt when the text does not parse (the server answers 400).
  static std::optional<Selector> parseLabels(const std::string& text);
  static std::optional<Selector> parseFields(const std::string& text);

  bool empty() const { return terms_.empty(); }
  bool matches(const Json& object) const;

 private:
  bool fields_ = false;
  std::vector<SelectorTerm> terms_;
};

}  // namespace daemonlet::fakekube
