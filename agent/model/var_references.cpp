#include "agent/model/var_references.h"

namespace daemonlet::model {

std::string expandReferences(const std::string& input, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '$' || i + 1 >= input.size()) {
      out += input[i];
      continue;
    }
    if (input[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (input[i + 1] == '(') {
      auto close = input.find(')', i + 2);
      if (close != std::string::npos) {
        std::string name = input.substr(i + 2, close - i - 2);
        auto it = vars.find(name);
        if (it != vars.end()) {
          out += it->second;
        } else {
          out += input.substr(i, close - i + 1);
        }
        i = close;
        continue;
      }
    }
    out += input[i];
  }
  return out;
}

}  // namespace daemonlet::model
