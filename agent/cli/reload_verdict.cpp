#include "agent/cli/reload_verdict.h"

#include <fstream>
#include <sstream>

#include "agent/base/atomic_file.h"
#include "agent/model/types.h"

namespace daemonlet::cli {

std::string reloadVerdictPath(const std::string& runDir) { return runDir + "/reload-verdict"; }

base::Status writeReloadVerdict(const std::string& runDir, const ReloadVerdict& verdict) {
  model::Json json{{"pid", verdict.pid},
                   {"generation", verdict.generation},
                   {"applied", verdict.applied},
                   {"message", verdict.message}};
  // In the run directory, about this run: never synced (the first one is
  // written on the way to the first start; a power loss ends the run anyway).
  return base::writeFileAtomically(reloadVerdictPath(runDir), json.dump() + "\n", 0644,
                                   base::FileDurability::kRenameOnly);
}

base::Result<ReloadVerdict> readReloadVerdict(const std::string& runDir) {
  const std::string path = reloadVerdictPath(runDir);
  std::ifstream in(path);
  if (!in) return base::makeError(base::ErrorCode::kNotFound, "no reload verdict; is the agent running?", path);
  std::stringstream text;
  text << in.rdbuf();
  model::Json json = model::Json::parse(text.str(), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json["pid"].is_number_integer() ||
      !json["generation"].is_number_unsigned() || !json["applied"].is_boolean() || !json["message"].is_string()) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "unreadable reload verdict", path);
  }
  ReloadVerdict verdict;
  verdict.pid = json["pid"].get<pid_t>();
  verdict.generation = json["generation"].get<std::uint64_t>();
  verdict.applied = json["applied"].get<bool>();
  verdict.message = json["message"].get<std::string>();
  return verdict;
}

}  // namespace daemonlet::cli
