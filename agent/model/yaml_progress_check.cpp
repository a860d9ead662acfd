#include "agent/model/yaml_progress_check.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>

namespace daemonlet::model {
namespace {

class ProgressCheck : public YAML::EventHandler {
 public:
  explicit ProgressCheck(std::size_t maxDocuments) : maxDocuments_(maxDocuments) {}

  void OnDocumentStart(const YAML::Mark&) override {
    firstEvent_ = true;
    if (++documents_ > maxDocuments_) throw YamlStuck{lastStart_};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { event(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { event(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    event(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    event(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    event(mark);
  }
  void OnMapEnd() override {}

 private:
  void event(const YAML::Mark& mark) {
    if (!firstEvent_) return;
    firstEvent_ = false;
    if (documents_ > 1 && mark.pos == lastStart_.pos) throw YamlStuck{mark};
    lastStart_ = mark;
  }
  std::size_t maxDocuments_;
  std::size_t documents_ = 0;
  bool firstEvent_ = false;
  YAML::Mark lastStart_ = YAML::Mark::null_mark();
};

}  // namespace

void checkYamlProgress(const std::string& text) {
  if (const auto nul = text.find('\0'); nul != std::string::npos) {
    YamlStuck stuck{YAML::Mark(), "NUL byte"};
    stuck.mark.pos = static_cast<int>(nul);
    stuck.mark.line =
        static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
    const auto lineStart = text.rfind('\n', nul);
    stuck.mark.column = static_cast<int>(lineStart == std::string::npos ? nul : nul - lineStart - 1);
    throw stuck;
  }
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  ProgressCheck check(text.size() / 3 + 2);  // "---\n" is the smallest document
  while (parser.HandleNextDocument(check)) {
  }
}

}  // namespace daemonlet::model
