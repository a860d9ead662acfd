#pragma once
// Builds JSON documents straight from yaml-cpp's parser events, within a memory
// budget. Internal to the model library (document_reader.cpp uses it).
//
// Why events and not YAML::LoadAll: yaml-cpp's node tree costs many times the
// text (figures in bench/README.md), and aliases let a small text
// describe a huge tree. Here only the JSON tree is built, every value is charged
// against the budget as it is made (an alias is charged the full size of what it
// copies), and the parse stops at the first value over the budget, so memory
// stays proportional to the input (document_reader.h states the bound).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::model::yaml {

// What the JSON tree costs, estimated from its parts the way nlohmann::json and
// libstdc++ allocate them (a slot per value, a heap block per string, array and
// object, a tree node per object member). Shared by the YAML and JSON readers.
struct TreeCost {
  static constexpr std::size_t kValue = 32;    // the json slot, in a parent array or map node
  static constexpr std::size_t kHeap = 48;     // the heap block of a string, array or object
  static constexpr std::size_t kMember = 64;   // an object member's tree node and key string
};

struct TreeBudget {
  int maxDepth = 64;
  std::size_t maxBytes = 0;      // estimated bytes of JSON tree, all documents together
  std::string limitText;         // how maxBytes was set, for the refusal ("16 bytes per input byte plus ...")
  std::size_t maxDocuments = 10000;
  std::size_t bytes = 0;         // charged so far
  std::size_t aliasBytes = 0;    // of which by alias copies
};

struct YamlDocument {
  Json value;                  // null for an empty document
  int line = 0;                // 1-based line of its first value
  std::vector<int> itemLines;  // lines of the root map's `items` entries (List expansion)
};

// How scalars and keys are read. The defaults are go-yaml v2's, as kubectl reads
// a manifest; the agent's own configuration asks for strictness instead.
struct YamlRules {
  // kCore12: YAML 1.2 core schema (`yes` is text), keys kept as written, `<<` an
  // ordinary key. kGoYaml11: go-yaml v2 resolution, keys as sigs.k8s.io/yaml
  // writes them (`yes:` -> "true"), `<<` merges.
  enum class Scalars { kGoYaml11, kCore12 };
  Scalars scalars = Scalars::kGoYaml11;
  bool rejectDuplicateKeys = false;  // go-yaml v2 keeps the last one
};

// Parses a whole YAML stream. Errors carry "line L, column C" where known; a
// refusal for size says how large the tree would have been allowed to grow.
// Text with a NUL byte or invalid UTF-8 is refused before parsing: YAML allows
// neither, and yaml-cpp would pass them on into strings that later dump() throws on.
base::Result<std::vector<YamlDocument>> buildYamlDocuments(std::string_view text, TreeBudget& budget,
                                                           const YamlRules& rules = {});

}  // namespace daemonlet::model::yaml
