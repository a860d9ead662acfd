// Splits file content into JSON objects: one JSON value, or a YAML stream of
// documents; `*List` objects are expanded into their items.
#include "agent/model/document_reader.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <sstream>

#include "agent/model/yaml_progress_check.h"
#include "agent/model/yaml_to_json.h"

namespace daemonlet::model {
namespace {

using base::ErrorCode;
using base::makeError;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool looksLikeJson(std::string_view content) {
  const auto first = content.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (content[first] == '{' || content[first] == '[');
}

// Rejects JSON nested deeper than the limit before building it: nlohmann's
// parser itself is iterative, but everything that walks the result recurses.
class DepthCheck : public nlohmann::json_sax<Json> {
 public:
  explicit DepthCheck(int maxDepth) : maxDepth_(maxDepth) {}
  bool tooDeep() const { return tooDeep_; }
  std::string error;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error = e.what();
    return false;
  }

 private:
  bool enter() {
    if (++depth_ > maxDepth_) tooDeep_ = true;
    return !tooDeep_;
  }
  bool leave() {
    --depth_;
    return true;
  }
  int maxDepth_;
  int depth_ = 0;
  bool tooDeep_ = false;
};

// nlohmann prefixes "[json.exception.parse_error.101] "; keep only the sentence.
std::string cleanJsonMessage(std::string message) {
  if (!message.empty() && message[0] == '[') {
    const auto close = message.find("] ");
    if (close != std::string::npos) message.erase(0, close + 2);
  }
  return message;
}

base::Result<Json> parseJson(std::string_view content, const ReadLimits& limits) {
  DepthCheck check(limits.maxDepth);
  // sax_parse does not throw on syntax errors (parse_error reports them).
  bool ok = false;
  try {
    ok = Json::sax_parse(content, &check);
  } catch (const std::exception& e) {
    return makeError(ErrorCode::kInvalidArgument, "invalid JSON: " + cleanJsonMessage(e.what()));
  }
  if (check.tooDeep()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "JSON is nested deeper than " + std::to_string(limits.maxDepth) + " levels");
  }
  if (!ok) return makeError(ErrorCode::kInvalidArgument, "invalid JSON: " + cleanJsonMessage(check.error));
  try {
    return Json::parse(content);
  } catch (const std::exception& e) {
    return makeError(ErrorCode::kInvalidArgument, "invalid JSON: " + cleanJsonMessage(e.what()));
  }
}

bool isList(const Json& object) {
  if (!object.is_object()) return false;
  const auto kind = object.find("kind");
  const auto items = object.find("items");
  if (kind == object.end() || items == object.end() || !kind->is_string() || !items->is_array()) return false;
  const auto& name = kind->get_ref<const std::string&>();
  return name.size() >= 4 && name.compare(name.size() - 4, 4, "List") == 0;
}

// Appends `object` (or its items when it is a List) to `out`. `itemLines` gives
// the starting line of each item when known.
base::Status appendDocument(Json object, int line, const std::vector<int>& itemLines,
                            const std::string& fileName, const ReadLimits& limits,
                            std::vector<Document>& out) {
  auto push = [&](Json value, int at) -> base::Status {
    if (value.is_null()) return base::Ok{};  // empty documents are dropped, as kubectl does
    if (out.size() >= limits.maxDocuments) {
      return makeError(ErrorCode::kInvalidArgument,
                       "more than " + std::to_string(limits.maxDocuments) + " documents", fileName);
    }
    Document document;
    document.object = std::move(value);
    document.source = SourceLocation{fileName, static_cast<int>(out.size()), at};
    out.push_back(std::move(document));
    return base::Ok{};
  };
  if (!isList(object)) return push(std::move(object), line);
  auto& items = object["items"];
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto pushed = push(std::move(items[i]), i < itemLines.size() ? itemLines[i] : line);
    if (!pushed) return pushed;
  }
  return base::Ok{};
}

std::string describeYamlError(const YAML::Exception& e) {
  if (e.mark.is_null()) return "invalid YAML: " + e.msg;
  return "invalid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
         std::to_string(e.mark.column + 1) + ": " + e.msg;
}

// yaml-cpp passes bytes through unchecked, but JSON (and go-yaml) require UTF-8;
// invalid sequences would make every later dump() throw. Returns the offset of
// the first invalid byte, or npos.
std::size_t firstInvalidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t low = 0;  // smallest code point allowed for this length (rejects overlongs)
    std::uint32_t cp = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    }
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      low = 0x80;
      cp = byte & 0x1Fu;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      low = 0x800;
      cp = byte & 0x0Fu;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      low = 0x10000;
      cp = byte & 0x07u;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (cp < low || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += length;
  }
  return std::string_view::npos;
}

std::string positionOf(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t lineStart = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - lineStart + 1);
}

int startLine(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

base::Result<std::vector<Document>> readYaml(std::string_view content, const std::string& fileName,
                                             const ReadLimits& limits) {
  if (const auto bad = firstInvalidUtf8(content); bad != std::string_view::npos) {
    return makeError(ErrorCode::kInvalidArgument,
                     "invalid YAML at " + positionOf(content, bad) + ": invalid UTF-8", fileName);
  }
  std::vector<YAML::Node> roots;
  try {
    const std::string text(content);
    checkYamlProgress(text);
    roots = YAML::LoadAll(text);
  } catch (const YamlStuck& stuck) {
    std::string where = stuck.mark.is_null() ? std::string()
                                             : " at line " + std::to_string(stuck.mark.line + 1) +
                                                   ", column " + std::to_string(stuck.mark.column + 1);
    return makeError(ErrorCode::kInvalidArgument, "invalid YAML" + where + ": " + stuck.reason, fileName);
  } catch (const YAML::Exception& e) {
    return makeError(ErrorCode::kInvalidArgument, describeYamlError(e), fileName);
  } catch (const std::exception& e) {
    return makeError(ErrorCode::kInvalidArgument, std::string("invalid YAML: ") + e.what(), fileName);
  }
  yaml::ConversionBudget budget;
  budget.maxDepth = limits.maxDepth;
  budget.maxScalarBytes = std::max<std::size_t>(budget.maxScalarBytes, limits.maxBytes * 4);
  // Without aliases a node costs at least a couple of bytes of input, so a tree far
  // larger than the text can only come from alias expansion: refuse it early.
  budget.maxNodes = std::clamp<std::size_t>(content.size() * 16, 10'000, budget.maxNodes);
  std::vector<Document> out;
  for (const YAML::Node& root : roots) {
    auto converted = yaml::toJson(root, budget);
    if (!converted) return makeError(converted.error().code, converted.error().message, fileName);
    std::vector<int> itemLines;
    try {
      const int line = startLine(root);
      if (isList(*converted) && root.IsMap() && root["items"].IsSequence()) {
        for (const auto& item : root["items"]) itemLines.push_back(startLine(item));
      }
      auto appended = appendDocument(std::move(converted).value(), line, itemLines, fileName, limits, out);
      if (!appended) return appended.error();
    } catch (const std::exception& e) {
      return makeError(ErrorCode::kInvalidArgument, std::string("invalid YAML: ") + e.what(), fileName);
    }
  }
  return out;
}

}  // namespace

base::Result<std::vector<Document>> readDocuments(std::string_view content, const std::string& fileName,
                                                  const ReadLimits& limits) {
  if (content.size() > limits.maxBytes) {
    return makeError(ErrorCode::kInvalidArgument,
                     "input is " + std::to_string(content.size()) + " bytes, more than the limit of " +
                         std::to_string(limits.maxBytes),
                     fileName);
  }
  if (content.substr(0, kUtf8Bom.size()) == kUtf8Bom) content.remove_prefix(kUtf8Bom.size());
  if (!looksLikeJson(content)) return readYaml(content, fileName, limits);

  auto parsed = parseJson(content, limits);
  if (!parsed) return makeError(parsed.error().code, parsed.error().message, fileName);
  std::vector<Document> out;
  // A top-level JSON array is read as a stream of objects (some tools emit that).
  if (parsed->is_array()) {
    for (auto& element : *parsed) {
      auto appended = appendDocument(std::move(element), 0, {}, fileName, limits, out);
      if (!appended) return appended.error();
    }
    return out;
  }
  auto appended = appendDocument(std::move(parsed).value(), 1, {}, fileName, limits, out);
  if (!appended) return appended.error();
  return out;
}

}  // namespace daemonlet::model
