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

// Memory bound: the JSON tree built from an input of N bytes is estimated as it
// is built (yaml::TreeCost) and may reach at most
//     treeBytesPerInputByte * N + treeBytesBase   (16 N + 16 MiB by default),
// aliases counted at the full size of what they copy. Past that the input is
// refused at once, naming the file; the parser's own state is small (yaml-cpp's
// event parser, nlohmann's SAX pass), and the text is read in place, not copied.
struct ReadLimits {
  std::size_t maxBytes = 16 * 1024 * 1024;  // larger input is refused, not parsed
  int maxDepth = 64;                        // deeper nesting is refused (stack safety)
  std::size_t maxDocuments = 10000;
  std::size_t treeBytesPerInputByte = 16;
  std::size_t treeBytesBase = 16 * 1024 * 1024;

  std::size_t maxTreeBytes(std::size_t inputBytes) const { return treeBytesPerInputByte * inputBytes + treeBytesBase; }
  // "the limit is 16 bytes per input byte plus 16 MiB": for refusals.
  std::string describeTreeLimit() const;
};

// Fails as a whole only when the content cannot be split into documents at all
// (YAML/JSON syntax error: the message carries "line L, column C"; too large; too
// deep). Empty documents and null documents are dropped, as kubectl does.
base::Result<std::vector<Document>> readDocuments(std::string_view content, const std::string& fileName,
                                                  const ReadLimits& limits = {});

}  // namespace daemonlet::model
