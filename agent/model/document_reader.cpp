// Splits file content into JSON objects: one JSON value, or a YAML stream of
// documents; `*List` objects are expanded into their items.
#include "agent/model/document_reader.h"

#include "agent/model/yaml_tree_builder.h"

namespace daemonlet::model {
namespace {

using base::ErrorCode;
using base::makeError;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool looksLikeJson(std::string_view content) {
  const auto first = content.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (content[first] == '{' || content[first] == '[');
}

bool isJsonName(const std::string& fileName) {
  return fileName.size() >= 5 && fileName.compare(fileName.size() - 5, 5, ".json") == 0;
}

// Rejects JSON nested deeper than the limit before building it: nlohmann's
// parser itself is iterative, but everything that walks the result recurses.
// Also estimates the tree's size (yaml::TreeCost, as for YAML) and stops at the
// budget, so a JSON file of a million empty objects is refused before it is built.
class DepthCheck : public nlohmann::json_sax<Json> {
 public:
  DepthCheck(int maxDepth, std::size_t maxBytes) : maxDepth_(maxDepth), maxBytes_(maxBytes) {}
  bool tooDeep() const { return tooDeep_; }
  bool tooLarge() const { return tooLarge_; }
  std::string error;

  bool null() override { return value(0); }
  bool boolean(bool) override { return value(0); }
  bool number_integer(number_integer_t) override { return value(0); }
  bool number_unsigned(number_unsigned_t) override { return value(0); }
  bool number_float(number_float_t, const string_t&) override { return value(0); }
  bool string(string_t& s) override { return value(yaml::TreeCost::kHeap + s.size()); }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return value(yaml::TreeCost::kHeap) && enter(); }
  bool key(string_t& k) override { return charge(yaml::TreeCost::kMember + k.size()); }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return value(yaml::TreeCost::kHeap) && enter(); }
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
  bool value(std::size_t extra) { return charge(yaml::TreeCost::kValue + extra); }
  bool charge(std::size_t cost) {
    bytes_ += cost;
    if (bytes_ > maxBytes_) tooLarge_ = true;
    return !tooLarge_;
  }
  int maxDepth_;
  std::size_t maxBytes_;
  int depth_ = 0;
  std::size_t bytes_ = 0;
  bool tooDeep_ = false;
  bool tooLarge_ = false;
};

// nlohmann prefixes "[json.exception.parse_error.101] "; keep only the sentence.
std::string cleanJsonMessage(std::string message) {
  if (!message.empty() && message[0] == '[') {
    const auto close = message.find("] ");
    if (close != std::string::npos) message.erase(0, close + 2);
  }
  return message;
}

// `syntaxError` is set when the text is not JSON at all (as opposed to JSON
// refused for its depth or size): such text may still be a YAML flow collection.
base::Result<Json> parseJson(std::string_view content, const ReadLimits& limits, bool& syntaxError) {
  syntaxError = false;
  const std::size_t maxBytes = limits.maxTreeBytes(content.size());
  DepthCheck check(limits.maxDepth, maxBytes);
  // sax_parse does not throw on syntax errors (parse_error reports them).
  bool ok = false;
  try {
    ok = Json::sax_parse(content, &check);
  } catch (const std::exception& e) {
    syntaxError = true;
    return makeError(ErrorCode::kInvalidArgument, "invalid JSON: " + cleanJsonMessage(e.what()));
  }
  if (check.tooDeep()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "JSON is nested deeper than " + std::to_string(limits.maxDepth) + " levels");
  }
  if (check.tooLarge()) {
    return makeError(ErrorCode::kInvalidArgument, "the document tree would take more than " +
                                                      std::to_string(maxBytes >> 20) +
                                                      " MiB (" + limits.describeTreeLimit() + ")");
  }
  if (!ok) {
    syntaxError = true;
    return makeError(ErrorCode::kInvalidArgument, "invalid JSON: " + cleanJsonMessage(check.error));
  }
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

base::Result<std::vector<Document>> readYaml(std::string_view content, const std::string& fileName,
                                             const ReadLimits& limits) {
  yaml::TreeBudget budget;
  budget.maxDepth = limits.maxDepth;
  budget.maxBytes = limits.maxTreeBytes(content.size());
  budget.maxDocuments = limits.maxDocuments;
  budget.limitText = limits.describeTreeLimit();
  auto documents = yaml::buildYamlDocuments(content, budget);
  if (!documents) return makeError(documents.error().code, documents.error().message, fileName);
  std::vector<Document> out;
  for (yaml::YamlDocument& document : *documents) {
    auto appended =
        appendDocument(std::move(document.value), document.line, document.itemLines, fileName, limits, out);
    if (!appended) return appended.error();
  }
  return out;
}

}  // namespace

std::string ReadLimits::describeTreeLimit() const {
  const bool wholeMiB = treeBytesBase % (1024 * 1024) == 0;
  return "the limit is " + std::to_string(treeBytesPerInputByte) + " bytes per input byte plus " +
         (wholeMiB ? std::to_string(treeBytesBase >> 20) + " MiB" : std::to_string(treeBytesBase >> 10) + " KiB");
}

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

  // `{` or `[` first: JSON, or YAML written as a flow collection (`{apiVersion:
  // apps/v1, kind: DaemonSet, ...}`). A .json file is JSON only; otherwise text
  // that is not valid JSON is read as the YAML it then is.
  bool syntaxError = false;
  auto parsed = parseJson(content, limits, syntaxError);
  if (!parsed && syntaxError && !isJsonName(fileName)) {
    auto asYaml = readYaml(content, fileName, limits);
    if (asYaml) return asYaml;
    return makeError(ErrorCode::kInvalidArgument,
                     asYaml.error().message + " (and not valid JSON either: " + parsed.error().message + ")",
                     fileName);
  }
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
