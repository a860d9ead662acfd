#include "config/field_path.h"

#include <nlohmann/json.hpp>

namespace daemonlet::config {

FieldPath FieldPath::child(std::string_view name) const {
  FieldPath next = *this;
  next.segments_.push_back({Segment::Kind::kChild, std::string(name)});
  return next;
}

FieldPath FieldPath::key(std::string_view mapKey) const {
  FieldPath next = *this;
  next.segments_.push_back({Segment::Kind::kKey, std::string(mapKey)});
  return next;
}

FieldPath FieldPath::index(std::size_t i) const {
  FieldPath next = *this;
  next.segments_.push_back({Segment::Kind::kIndex, std::to_string(i)});
  return next;
}

FieldPath FieldPath::parent() const {
  FieldPath up = *this;
  if (!up.segments_.empty()) up.segments_.pop_back();
  return up;
}

std::string FieldPath::render() const {
  if (segments_.empty()) return "<root>";
  std::string out;
  for (const Segment& s : segments_) {
    if (s.kind == Segment::Kind::kChild) {
      if (!out.empty()) out += '.';
      out += s.text;
    } else {
      out += '[' + s.text + ']';
    }
  }
  return out;
}

std::string FieldPath::pointer() const {
  std::string out;
  for (const Segment& s : segments_) {
    out += '/';
    for (char c : s.text) {  // RFC 6901 escaping: label keys often hold '/'
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out += c;
      }
    }
  }
  return out;
}

std::string quoteValue(std::string_view text) {
  // nlohmann's dump escapes control characters and quotes like Go's %q for the
  // printable text a config holds; invalid UTF-8 is replaced rather than thrown.
  return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string requiredValue() { return "Required value"; }

std::string invalidValue(std::string_view badValue, std::string_view detail) {
  std::string out = "Invalid value: " + quoteValue(badValue);
  if (!detail.empty()) out += ": " + std::string(detail);
  return out;
}

std::string unsupportedValue(std::string_view badValue, const std::vector<std::string_view>& supported) {
  std::string out = "Unsupported value: " + quoteValue(badValue) + ": supported values: ";
  for (std::size_t i = 0; i < supported.size(); ++i) {
    if (i > 0) out += ", ";
    out += quoteValue(supported[i]);
  }
  return out;
}

std::string duplicateValue(std::string_view badValue) { return "Duplicate value: " + quoteValue(badValue); }

}  // namespace daemonlet::config
