#include "selectors.h"

namespace daemonlet::fakekube {
namespace {

std::string trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : text) {
    if (c == ',') {
      parts.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(trim(current));
  return parts;
}

std::optional<SelectorTerm> parseTerm(const std::string& part, bool allowExistence) {
  SelectorTerm term;
  if (auto pos = part.find("!="); pos != std::string::npos) {
    term = {trim(part.substr(0, pos)), SelectorTerm::Op::kNotEquals, trim(part.substr(pos + 2))};
  } else if (auto pos2 = part.find("=="); pos2 != std::string::npos) {
    term = {trim(part.substr(0, pos2)), SelectorTerm::Op::kEquals, trim(part.substr(pos2 + 2))};
  } else if (auto pos3 = part.find('='); pos3 != std::string::npos) {
    term = {trim(part.substr(0, pos3)), SelectorTerm::Op::kEquals, trim(part.substr(pos3 + 1))};
  } else if (!allowExistence) {
    return std::nullopt;
  } else if (!part.empty() && part[0] == '!') {
    term = {trim(part.substr(1)), SelectorTerm::Op::kNotExists, ""};
  } else {
    term = {part, SelectorTerm::Op::kExists, ""};
  }
  if (term.key.empty() || term.key.find_first_of(" =!") != std::string::npos) return std::nullopt;
  return term;
}

std::optional<std::string> fieldValue(const Json& object, const std::string& path) {
  if (!object.is_object() || !object.contains("metadata")) return std::nullopt;
  const Json& metadata = object["metadata"];
  const char* name = path == "metadata.name" ? "name" : path == "metadata.namespace" ? "namespace" : nullptr;
  if (!name || !metadata.is_object()) return std::nullopt;
  auto it = metadata.find(name);
  if (it == metadata.end() || !it->is_string()) return std::string();
  return it->get<std::string>();
}

}  // namespace

std::optional<Selector> Selector::parseLabels(const std::string& text) {
  Selector selector;
  if (trim(text).empty()) return selector;
  for (const std::string& part : splitCommas(text)) {
    auto term = parseTerm(part, /*allowExistence=*/true);
    if (!term) return std::nullopt;
    selector.terms_.push_back(std::move(*term));
  }
  return selector;
}

std::optional<Selector> Selector::parseFields(const std::string& text) {
  Selector selector;
  selector.fields_ = true;
  if (trim(text).empty()) return selector;
  for (const std::string& part : splitCommas(text)) {
    auto term = parseTerm(part, /*allowExistence=*/false);
    if (!term || (term->key != "metadata.name" && term->key != "metadata.namespace")) return std::nullopt;
    selector.terms_.push_back(std::move(*term));
  }
  return selector;
}

bool Selector::matches(const Json& object) const {
  for (const SelectorTerm& term : terms_) {
    std::optional<std::string> value;
    if (fields_) {
      value = fieldValue(object, term.key);
    } else if (object.is_object() && object.contains("metadata") && object["metadata"].is_object() &&
               object["metadata"].contains("labels") && object["metadata"]["labels"].is_object()) {
      const Json& labels = object["metadata"]["labels"];
      auto it = labels.find(term.key);
      if (it != labels.end() && it->is_string()) value = it->get<std::string>();
    }
    switch (term.op) {
      case SelectorTerm::Op::kEquals:
        if (!value || *value != term.value) return false;
        break;
      case SelectorTerm::Op::kNotEquals:  // a missing label satisfies k!=v, as in Kubernetes
        if (value && *value == term.value) return false;
        break;
      case SelectorTerm::Op::kExists:
        if (!value) return false;
        break;
      case SelectorTerm::Op::kNotExists:
        if (value) return false;
        break;
    }
  }
  return true;
}

}  // namespace daemonlet::fakekube
