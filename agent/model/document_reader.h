#pragma once
// Turns file content into JSON objects: a JSON document, a YAML document or a
// multi-document YAML stream ("---"), with `kind: List` / `*List` items expanded
// in place. Pure: the caller reads the file.
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::model {

struct Document {
  Json object;
  SourceLocation source;  // documentIndex counts objects after List expansion
};

struct ReadLimits {
  std::size_t maxBytes = 16 * 1024 * 1024;  // larger input is refused, not parsed
  int maxDepth = 64;                        // deeper nesting is refused (stack safety)
  std::size_t maxDocuments = 10000;
};

// Fails as a whole only when the content cannot be split into documents at all
// (YAML/JSON syntax error: the message carries "line L, column C"; too large; too
// deep). Empty documents and null documents are dropped, as kubectl does.
base::Result<std::vector<Document>> readDocuments(std::string_view content, const std::string& fileName,
                                                  const ReadLimits& limits = {});

}  // namespace daemonlet::model
