#include "agent/model/yaml_tree_builder.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <streambuf>

#include "agent/model/yaml_to_json.h"

namespace daemonlet::model::yaml {
namespace {

using base::ErrorCode;
using base::makeError;

// A failure inside an event callback; thrown through yaml-cpp's parser and
// caught in buildYamlDocuments(), so no exception leaves this file.
struct BuildFailure {
  YAML::Mark mark;
  std::string message;
  bool overBudget = false;  // valid YAML, refused for its size
};

// Reads the caller's text in place: an istringstream would copy 16 MiB again.
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // read-only use: the get area is never written
    setg(begin, begin, begin + text.size());
  }
};

// Explicit core-schema tags resolve like plain scalars; any other tag, and quoted
// scalars (tag "!"), keep the text.
bool resolvesLikePlain(const std::string& tag) {
  return tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
         tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null";
}

struct RawScalar {
  std::string tag;
  std::string text;
};

// Keys become strings as sigs.k8s.io/yaml writes them: `yes:` -> "true", `1:` -> "1".
// Under the core rules a key stays as written.
std::string keyText(const RawScalar& key, const YamlRules& rules) {
  if (rules.scalars == YamlRules::Scalars::kCore12 || !resolvesLikePlain(key.tag)) return key.text;
  auto resolved = resolvePlainScalar(key.text);
  if (!resolved || resolved->is_string()) return key.text;
  if (resolved->is_null()) return "null";
  return resolved->dump();
}

// yaml-cpp passes bytes through unchecked, but JSON (and go-yaml) require UTF-8. Returns the offset of
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

std::string where(const YAML::Mark& mark) {
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) + ": ";
}

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(TreeBudget& budget, const YamlRules& rules, std::size_t inputBytes)
      : budget_(budget), rules_(rules), inputBytes_(inputBytes) {}

  std::vector<YamlDocument>& documents() { return documents_; }

  void OnDocumentStart(const YAML::Mark&) override {
    // yaml-cpp 0.7 can yield endless empty documents without consuming input (a
    // stray ',' at top level): a document that starts where the previous one
    // did, or more documents than the text could hold ("---\n" is the smallest).
    if (documents_.size() > inputBytes_ / 3 + 2) throw BuildFailure{lastStart_, "unexpected content"};
    if (documents_.size() >= budget_.maxDocuments) {
      throw BuildFailure{lastStart_, "more than " + std::to_string(budget_.maxDocuments) + " documents"};
    }
    documents_.emplace_back();
    stack_.clear();
    anchors_.clear();  // anchors are scoped to their document
    firstEvent_ = true;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    begin(mark);
    checkDepth(mark, 0);
    const std::size_t cost = charge(mark, TreeCost::kValue, false);
    complete(mark, Json(nullptr), anchor, cost, 0, RawScalar{"?", ""}, true);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    begin(mark);
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) fail(mark, "alias to an anchor that is not complete (a recursive alias)");
    const Anchored& anchored = it->second;
    checkDepth(mark, anchored.height);
    if (expectsKey() && !anchored.raw) fail(mark, "map keys must be scalars");
    // An alias is a full copy in JSON: it costs what its anchor cost.
    const std::size_t cost = charge(mark, anchored.cost, true);
    complete(mark, anchored.value, 0, cost, anchored.height,
             anchored.raw ? std::optional<RawScalar>(*anchored.raw) : std::nullopt, anchored.value.is_null());
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    begin(mark);
    checkDepth(mark, 0);
    const bool isKey = expectsKey();
    Json json;
    if (!resolvesLikePlain(tag)) {
      json = value;
    } else if (rules_.scalars == YamlRules::Scalars::kCore12) {
      json = resolveCoreSchemaScalar(value);
    } else {
      auto resolved = resolvePlainScalar(value);
      // A key that does not resolve (`.inf:`) stays text, as sigs.k8s.io/yaml keeps it.
      if (!resolved && !isKey) fail(mark, resolved.error().message);
      json = resolved ? std::move(resolved).value() : Json(value);
    }
    // A key is charged as its object member when it completes (complete());
    // `cost` is what a copy of it as a value would take (for its anchor).
    const std::size_t cost = TreeCost::kValue + (json.is_string() ? TreeCost::kHeap + value.size() : 0);
    if (!isKey) charge(mark, cost, false);
    complete(mark, std::move(json), anchor, cost, 0, RawScalar{tag, value}, false);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, Json::array());
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, Json::object());
  }
  void OnMapEnd() override {
    Frame& frame = stack_.back();
    // Merge keys (YAML 1.1 `<<: *base`): explicit keys win, earlier merged maps
    // win over later ones.
    for (Json& merge : frame.merges) {
      if (merge.is_object()) {
        mergeInto(frame.value, std::move(merge));
        continue;
      }
      if (!merge.is_array()) fail(frame.mark, "map merge requires a map or a sequence of maps");
      for (Json& item : merge) {
        if (!item.is_object()) fail(frame.mark, "map merge requires a map or a sequence of maps");
        mergeInto(frame.value, std::move(item));
      }
    }
    frame.merges.clear();
    close();
  }

 private:
  struct Frame {
    Json value;  // array or object being filled
    YAML::Mark mark;
    YAML::anchor_t anchor = 0;
    std::size_t bytesAtStart = 0;
    int childHeight = 0;          // height of the tallest child so far
    bool recordItemLines = false; // the root map's `items`: note each entry's line
    // Map only: the key waiting for its value.
    bool haveKey = false;
    bool keyIsMerge = false;
    std::string key;
    std::vector<Json> merges;
  };
  struct Anchored {
    Json value;
    std::size_t cost = 0;
    int height = 0;  // 0 for a scalar, 1 + the tallest child for a collection
    std::optional<RawScalar> raw;
  };

  [[noreturn]] static void fail(const YAML::Mark& mark, std::string message) {
    throw BuildFailure{mark, std::move(message)};
  }

  // Marks the document's first value (its line; the stuck-parser check).
  void begin(const YAML::Mark& mark) {
    if (!firstEvent_) {
      if (!stack_.empty() && stack_.back().recordItemLines && !stack_.back().value.is_object()) {
        documents_.back().itemLines.push_back(mark.line + 1);
      }
      return;
    }
    firstEvent_ = false;
    if (documents_.size() > 1 && !lastStart_.is_null() && mark.pos == lastStart_.pos) {
      fail(mark, "unexpected content");
    }
    lastStart_ = mark;
    documents_.back().line = mark.line + 1;
  }

  bool expectsKey() const { return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().haveKey; }

  // A value at stack depth d with `height` levels below it reaches d + height
  // (an alias brings its anchor's whole height along).
  void checkDepth(const YAML::Mark& mark, int height) const {
    if (static_cast<int>(stack_.size()) + height > budget_.maxDepth) {
      fail(mark, "nesting is deeper than " + std::to_string(budget_.maxDepth) + " levels");
    }
  }

  std::size_t charge(const YAML::Mark& mark, std::size_t cost, bool alias) {
    budget_.bytes += cost;
    if (alias) budget_.aliasBytes += cost;
    if (budget_.bytes > budget_.maxBytes) {
      std::string message = "the document tree would take more than " + std::to_string(budget_.maxBytes >> 20) +
                            " MiB (" + budget_.limitText + ")";
      if (budget_.aliasBytes > 0) {
        message += "; " + std::to_string(budget_.aliasBytes >> 20) + " MiB of it are copies made by aliases";
      }
      throw BuildFailure{mark, std::move(message), true};
    }
    return cost;
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, Json value) {
    begin(mark);
    if (expectsKey()) fail(mark, "map keys must be scalars");
    checkDepth(mark, 0);
    Frame frame;
    frame.bytesAtStart = budget_.bytes;
    charge(mark, TreeCost::kValue + TreeCost::kHeap, false);
    frame.value = std::move(value);
    frame.mark = mark;
    frame.anchor = anchor;
    if (stack_.size() == 1 && frame.value.is_array() && stack_.back().haveKey && stack_.back().key == "items") {
      frame.recordItemLines = true;
    }
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    complete(frame.mark, std::move(frame.value), frame.anchor, budget_.bytes - frame.bytesAtStart,
             frame.childHeight + 1, std::nullopt, false);
  }

  // A value is finished: keep it for aliases, then hand it to its parent (or
  // make it the document's root).
  void complete(const YAML::Mark& mark, Json value, YAML::anchor_t anchor, std::size_t cost, int height,
                std::optional<RawScalar> raw, bool isNull) {
    if (anchor != 0) {
      // The stored copy is memory too.
      charge(mark, cost, false);
      anchors_[anchor] = Anchored{value, cost, height, raw};
    }
    if (stack_.empty()) {
      documents_.back().value = std::move(value);
      return;
    }
    Frame& parent = stack_.back();
    parent.childHeight = std::max(parent.childHeight, height);
    if (parent.value.is_array()) {
      parent.value.push_back(std::move(value));
      return;
    }
    if (!parent.haveKey) {
      if (raw) {
        parent.keyIsMerge = rules_.scalars == YamlRules::Scalars::kGoYaml11 && raw->tag == "?" && raw->text == "<<";
        parent.key = isNull ? std::string("null") : keyText(*raw, rules_);
      } else {
        fail(mark, "map keys must be scalars");
      }
      // The key's first use is already in the map: its value completed before this key.
      if (rules_.rejectDuplicateKeys && parent.value.contains(parent.key)) {
        fail(mark, "duplicate key \"" + parent.key + "\"");
      }
      charge(mark, TreeCost::kMember + parent.key.size(), false);
      parent.haveKey = true;
      return;
    }
    parent.haveKey = false;
    if (parent.keyIsMerge) {
      parent.merges.push_back(std::move(value));
      return;
    }
    parent.value[parent.key] = std::move(value);  // a repeated key: the last one wins, as before
  }

  static void mergeInto(Json& out, Json merged) {
    for (auto& [key, value] : merged.items()) {
      if (!out.contains(key)) out[key] = std::move(value);
    }
  }

  TreeBudget& budget_;
  const YamlRules& rules_;
  std::size_t inputBytes_;
  std::vector<YamlDocument> documents_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  bool firstEvent_ = false;
  YAML::Mark lastStart_ = YAML::Mark::null_mark();
};

}  // namespace

base::Result<std::vector<YamlDocument>> buildYamlDocuments(std::string_view text, TreeBudget& budget,
                                                           const YamlRules& rules) {
  // NULs near the start also make yaml-cpp guess UTF-16/32 (found by the endpoint fuzzer).
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return makeError(ErrorCode::kInvalidArgument, "invalid YAML at " + positionOf(text, nul) + ": NUL byte");
  }
  if (const auto bad = firstInvalidUtf8(text); bad != std::string_view::npos) {
    return makeError(ErrorCode::kInvalidArgument, "invalid YAML at " + positionOf(text, bad) + ": invalid UTF-8");
  }
  try {
    ViewBuffer buffer(text);
    std::istream stream(&buffer);
    YAML::Parser parser(stream);
    TreeBuilder builder(budget, rules, text.size());
    while (parser.HandleNextDocument(builder)) {
    }
    return std::move(builder.documents());
  } catch (const BuildFailure& failure) {
    if (failure.overBudget) {
      return makeError(ErrorCode::kInvalidArgument, "refused at " + where(failure.mark) + failure.message);
    }
    return makeError(ErrorCode::kInvalidArgument,
                     (failure.mark.is_null() ? "invalid YAML: " : "invalid YAML at " + where(failure.mark)) +
                         failure.message);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return makeError(ErrorCode::kInvalidArgument, "invalid YAML: " + e.msg);
    return makeError(ErrorCode::kInvalidArgument, "invalid YAML at " + where(e.mark) + e.msg);
  } catch (const std::exception& e) {
    return makeError(ErrorCode::kInvalidArgument, std::string("invalid YAML: ") + e.what());
  }
}

}  // namespace daemonlet::model::yaml
