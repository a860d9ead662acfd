#include "agent/kubeapi/selectors.h"

#include <algorithm>
#include <cctype>

namespace daemonlet::kubeapi {
namespace {

std::string trimSpaces(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

// Commas outside parentheses separate requirements.
std::vector<std::string> topLevelParts(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(trimSpaces(current));
      current.clear();
      continue;
    }
    current += c;
  }
  if (!trimSpaces(current).empty() || !parts.empty()) parts.push_back(trimSpaces(current));
  return parts;
}

std::vector<std::string> setValues(const std::string& text) {
  std::vector<std::string> values;
  std::string inner = text.substr(1, text.size() - 2);
  std::size_t start = 0;
  for (;;) {
    auto at = inner.find(',', start);
    values.push_back(trimSpaces(inner.substr(start, at == std::string::npos ? std::string::npos : at - start)));
    if (at == std::string::npos) return values;
    start = at + 1;
  }
}

base::Error badSelector(const std::string& what, const std::string& text) {
  return base::makeError(base::ErrorCode::kInvalidArgument, "unable to parse requirement: " + what, text);
}

}  // namespace

std::string fieldValue(const model::Json& object, const std::string& path) {
  const model::Json* at = &object;
  std::size_t start = 0;
  for (;;) {
    auto dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(key)) return "";
    at = &(*at)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (at->is_string()) return at->get<std::string>();
  if (at->is_null() || at->is_object() || at->is_array()) return "";
  return at->dump();
}

base::Result<LabelSelector> LabelSelector::parse(const std::string& text) {
  LabelSelector selector;
  for (const std::string& part : topLevelParts(text)) {
    if (part.empty()) return badSelector("empty requirement", text);
    Requirement r;
    std::string lower = part;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (auto at = part.find("!="); at != std::string::npos) {
      r = {trimSpaces(part.substr(0, at)), Op::kNotEquals, {trimSpaces(part.substr(at + 2))}};
    } else if (auto eq = part.find('='); eq != std::string::npos) {
      std::size_t valueAt = part.compare(eq, 2, "==") == 0 ? eq + 2 : eq + 1;
      r = {trimSpaces(part.substr(0, eq)), Op::kEquals, {trimSpaces(part.substr(valueAt))}};
    } else if (auto open = part.find('('); open != std::string::npos) {
      std::string head = trimSpaces(part.substr(0, open));
      std::string values = trimSpaces(part.substr(open));
      if (values.back() != ')') return badSelector("unclosed set", text);
      auto space = head.find_last_of(" \t");
      if (space == std::string::npos) return badSelector("expected `in` or `notin`", text);
      std::string op = head.substr(space + 1);
      r.key = trimSpaces(head.substr(0, space));
      if (op == "in") r.op = Op::kIn;
      else if (op == "notin") r.op = Op::kNotIn;
      else return badSelector("expected `in` or `notin`, not `" + op + "`", text);
      r.values = setValues(values);
    } else if (part[0] == '!') {
      r = {trimSpaces(part.substr(1)), Op::kNotExists, {}};
    } else {
      r = {part, Op::kExists, {}};
    }
    if (r.key.empty() || r.key.find_first_of(" \t") != std::string::npos) return badSelector("invalid key", text);
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

bool LabelSelector::matches(const model::Json& labels) const {
  for (const auto& r : requirements_) {
    bool has = labels.is_object() && labels.contains(r.key) && labels[r.key].is_string();
    std::string value = has ? labels[r.key].get<std::string>() : "";
    bool inSet = has && std::find(r.values.begin(), r.values.end(), value) != r.values.end();
    bool ok = false;
    switch (r.op) {
      case Op::kEquals: ok = has && value == r.values[0]; break;
      case Op::kNotEquals: ok = !has || value != r.values[0]; break;
      case Op::kIn: ok = inSet; break;
      case Op::kNotIn: ok = !inSet; break;
      case Op::kExists: ok = has; break;
      case Op::kNotExists: ok = !has; break;
    }
    if (!ok) return false;
  }
  return true;
}

base::Result<FieldSelector> FieldSelector::parse(const std::string& text) {
  FieldSelector selector;
  for (const std::string& part : topLevelParts(text)) {
    Requirement r;
    if (auto at = part.find("!="); at != std::string::npos) {
      r = {trimSpaces(part.substr(0, at)), false, trimSpaces(part.substr(at + 2))};
    } else if (auto eq = part.find('='); eq != std::string::npos) {
      std::size_t valueAt = part.compare(eq, 2, "==") == 0 ? eq + 2 : eq + 1;
      r = {trimSpaces(part.substr(0, eq)), true, trimSpaces(part.substr(valueAt))};
    } else {
      return badSelector("a field selector needs =, == or !=", text);
    }
    if (r.path.empty()) return badSelector("empty field", text);
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

bool FieldSelector::matches(const model::Json& object) const {
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const Requirement& r) { return (fieldValue(object, r.path) == r.value) == r.equals; });
}

std::optional<std::string> FieldSelector::required(const std::string& path) const {
  for (const auto& r : requirements_) {
    if (r.path == path && r.equals) return r.value;
  }
  return std::nullopt;
}

}  // namespace daemonlet::kubeapi
