#include "config/agent_config_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "agent/model/taint_json.h"
#include "config/config_decode.h"
#include "config/config_document.h"
#include "config/config_merge.h"
#include "config/config_schema.h"
#include "config/config_validation.h"

namespace daemonlet::config {
namespace {

namespace fs = std::filesystem;

std::string formatLine(std::string_view origin, const FieldPath& field, std::string_view message) {
  std::string line(origin);
  line += ": ";
  if (!field.isRoot()) line += field.render() + ": ";
  line += message;
  return line;
}

base::Result<std::string> readFile(const fs::path& path, const std::string& shownName) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return base::makeError(base::ErrorCode::kIo, shownName + ": cannot read config file: is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return base::makeError(err == ENOENT ? base::ErrorCode::kNotFound : base::ErrorCode::kIo,
                           shownName + ": cannot read config file: " + std::strerror(err));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad())
    return base::makeError(base::ErrorCode::kIo, shownName + ": cannot read config file: read failed");
  return content.str();
}

// config.d/*.yaml in byte order of their names; hidden files (editor swap and
// backup files) are skipped. A missing directory means no drop-ins.
base::Result<std::vector<fs::path>> listDropIns(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return files;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    return base::makeError(base::ErrorCode::kIo,
                           dir.string() + ": cannot list drop-in directory: " + ec.message());
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (name.starts_with(".") || it->path().extension() != ".yaml") continue;
    std::error_code typeError;
    if (!fs::is_regular_file(it->path(), typeError)) continue;  // follows symlinks
    files.push_back(it->path());
  }
  if (ec) {
    return base::makeError(base::ErrorCode::kIo,
                           dir.string() + ": cannot list drop-in directory: " + ec.message());
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  return files;
}

// Parses and shape-checks one file's content; a good document joins the layers.
void addFileLayer(const fs::path& path, const std::string& shownName,
                  const base::Result<std::string>& content, LayeredConfig& layers,
                  std::vector<std::string>& problems) {
  if (!content) {
    problems.push_back(content.error().message);
    return;
  }
  auto document = readConfigDocument(*content, shownName);
  if (!document) {
    problems.push_back(document.error().describe());
    return;
  }
  const FieldProblems shape = checkDocumentShape(*document);
  for (const FieldProblem& p : shape) problems.push_back(formatLine(shownName, p.field, p.message));
  if (shape.empty()) layers.apply(*document, Origin{shownName, path.parent_path()});
}

void addFlagLayers(const CommandLineOverrides& o, const fs::path& cwd, LayeredConfig& layers) {
  const auto layer = [&](std::string_view flag, model::Json json) {
    layers.apply(json, Origin{std::string(flag), cwd});
  };
  const auto scalar = [&](std::string_view flag, std::string_view key,
                          const std::optional<std::string>& value) {
    if (value) layer(flag, {{std::string(key), *value}});
  };
  if (o.nodeName) layer("--node-name", {{"node", {{"name", *o.nodeName}}}});
  if (o.nodeLabels) {
    model::Json labels = model::Json::object();
    for (const auto& [key, value] : *o.nodeLabels) labels[key] = value;
    layer("--node-labels", {{"node", {{"labels", labels}}}});
  }
  if (o.nodeTaints) layer("--node-taints", {{"node", {{"taints", model::taintsToJson(*o.nodeTaints)}}}});
  scalar("--manifest-dir", "manifestDir", o.manifestDir);
  scalar("--state-dir", "stateDir", o.stateDir);
  scalar("--log-dir", "logDir", o.logDir);
  scalar("--run-dir", "runDir", o.runDir);
  scalar("--listen", "listen", o.listen);
  scalar("--cgroup-root", "cgroupRoot", o.cgroupRoot);
  scalar("--log-level", "logLevel", o.logLevel);
  const auto nested = [&](std::string_view flag, std::vector<std::string_view> keys,
                          const std::optional<std::string>& value) {
    if (!value) return;
    model::Json json = *value;
    for (auto it = keys.rbegin(); it != keys.rend(); ++it) json = model::Json{{std::string(*it), json}};
    layer(flag, std::move(json));
  };
  nested("--cri-endpoint", {"cri", "endpoint"}, o.criEndpoint);
  nested("--endpoint", {"endpoint", "url"}, o.endpointUrl);
  nested("--endpoint-mode", {"endpoint", "mode"}, o.endpointMode);
  nested("--endpoint-ca-file", {"endpoint", "tls", "caFile"}, o.endpointCaFile);
  nested("--endpoint-token-file", {"endpoint", "bearerTokenFile"}, o.endpointTokenFile);
  nested("--endpoint-poll-interval", {"endpoint", "pollInterval"}, o.endpointPollInterval);
  nested("--report-url", {"reports", "url"}, o.reportUrl);
  nested("--report-interval", {"reports", "interval"}, o.reportInterval);
}

// Names who set a field, for messages; a hostname-derived node name gets a hint.
std::string originName(const LayeredConfig& layers, const DecodedConfig& decoded, const HostFacts& host,
                       const FieldPath& field, std::string& message) {
  if (decoded.nodeNameFromHostname && field == FieldPath().child("node").child("name")) {
    message += " (the node name defaults to the hostname " + quoteValue(host.hostname) +
               "; set node.name or --node-name)";
    return "hostname";
  }
  const Origin* origin = layers.originOf(field);
  return origin != nullptr ? origin->name : "defaults";
}

base::Error configError(const std::vector<std::string>& problems) {
  std::string message;
  for (const std::string& line : problems) message += (message.empty() ? "" : "\n") + line;
  return base::makeError(base::ErrorCode::kInvalidArgument, message);
}

}  // namespace

base::Result<AgentConfig> loadAgentConfig(const CommandLineOverrides& overrides) {
  auto host = readHostFacts();
  if (!host) return host.error();
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec) return base::makeError(base::ErrorCode::kIo, "cannot read the working directory: " + ec.message());
  return loadAgentConfig(overrides, LoadEnvironment{std::move(*host), std::move(cwd)});
}

base::Result<AgentConfig> loadAgentConfig(const CommandLineOverrides& overrides, const LoadEnvironment& env) {
  LayeredConfig layers;
  std::vector<std::string> problems;
  std::vector<std::string> sourceFiles;

  if (overrides.configFile) {
    const std::string& shown = *overrides.configFile;
    if (shown.empty()) return configError({"--config: Required value: a file path"});
    const fs::path file = fs::path(shown).is_absolute() ? fs::path(shown) : env.workingDirectory / shown;
    auto content = readFile(file, shown);
    if (!content) return content.error();  // a missing --config file is an error of its own
    addFileLayer(file, shown, content, layers, problems);
    sourceFiles.push_back(shown);

    const fs::path dropInDir = file.parent_path() / kDropInDirName;
    auto dropIns = listDropIns(dropInDir);
    if (!dropIns) return configError({dropIns.error().message});
    for (const fs::path& dropIn : *dropIns) {
      const std::string dropInShown =
          (fs::path(shown).parent_path() / kDropInDirName / dropIn.filename()).string();
      addFileLayer(dropIn, dropInShown, readFile(dropIn, dropInShown), layers, problems);
      sourceFiles.push_back(dropInShown);
    }
    // Shape problems make the merged document meaningless; report them alone.
    if (!problems.empty()) return configError(problems);
  }

  addFlagLayers(overrides, env.workingDirectory, layers);

  DecodedConfig decoded = decodeAgentConfig(layers, env.host, env.workingDirectory);
  const auto report = [&](const FieldProblems& list, std::vector<std::string>& into) {
    for (const FieldProblem& p : list) {
      std::string message = p.message;
      const std::string origin = originName(layers, decoded, env.host, p.field, message);
      into.push_back(formatLine(origin, p.field, message));
    }
  };
  report(decoded.problems, problems);
  if (!problems.empty()) return configError(problems);

  AgentConfig config = std::move(decoded.config);
  // Well-known labels belong to the agent (as kubelet sets them itself): a user
  // value for one is dropped, with a warning when it differed.
  config.node.wellKnownLabels = wellKnownLabels(config.node.name, env.host);
  FieldProblems notes = std::move(decoded.warnings);
  for (auto it = config.node.labels.begin(); it != config.node.labels.end();) {
    const auto owned = config.node.wellKnownLabels.find(it->first);
    if (owned == config.node.wellKnownLabels.end()) {
      ++it;
      continue;
    }
    if (owned->second != it->second) {
      notes.push_back({FieldPath().child("node").child("labels").key(it->first),
                       "value " + quoteValue(it->second) +
                           " ignored: the agent sets this well-known label itself (to " +
                           quoteValue(owned->second) + ")"});
    }
    it = config.node.labels.erase(it);
  }

  report(validateAgentConfig(config), problems);
  if (!problems.empty()) return configError(problems);

  report(notes, config.warnings);
  config.sourceFiles = std::move(sourceFiles);
  return config;
}

std::vector<std::string> fieldsNeedingRestart(const AgentConfig& running, const AgentConfig& reloaded) {
  std::vector<std::string> changed;
  const auto check = [&changed](bool differs, const char* name) {
    if (differs) changed.emplace_back(name);
  };
  check(running.manifestDir != reloaded.manifestDir, "manifestDir");
  check(running.stateDir != reloaded.stateDir, "stateDir");
  check(running.logDir != reloaded.logDir, "logDir");
  check(running.runDir != reloaded.runDir, "runDir");
  check(!(running.listen == reloaded.listen), "listen");
  // The CRI runtime is made once, with its endpoint and credentials file (whose
  // content it reads at each pull).
  check(!(running.cri == reloaded.cri), "cri");
  check(running.cgroupRoot != reloaded.cgroupRoot, "cgroupRoot");
  // The endpoint source and the reporter are built once at start, with their
  // client settings; rebuilding them on reload is not worth the risk of a gap.
  check(!(running.endpoint == reloaded.endpoint), "endpoint");
  check(!(running.reports == reloaded.reports), "reports");
  return changed;
}

}  // namespace daemonlet::config
