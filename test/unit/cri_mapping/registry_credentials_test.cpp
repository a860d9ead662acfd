// Registry credentials from a Docker config.json, matched as the kubelet's
// credential keyring matches them.
#include "runtime/cri/registry_credentials.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace daemonlet::runtime::cri {
namespace {

ImageReference image(const std::string& name) {
  auto ref = parseImageReference(name);
  EXPECT_TRUE(ref) << name;
  return ref ? *ref : ImageReference{};
}

// base64("user:pass") and base64("hub:secret:with:colons")
constexpr const char* kConfig = R"({
  "auths": {
    "https://index.docker.io/v1/": {"auth": "aHViOnNlY3JldDp3aXRoOmNvbG9ucw=="},
    "registry.example:5000": {"username": "plain", "password": "pw"},
    "registry.example:5000/team": {"auth": "dXNlcjpwYXNz"},
    "*.gcr.io": {"identitytoken": "tok"},
    "http://insecure.local/": {"username": "u", "password": "p"}
  }
})";

TEST(RegistryCredentialsTest, MatchesHostPortPathAndDockerHub) {
  auto creds = RegistryCredentials::parse(kConfig);
  ASSERT_TRUE(creds) << creds.error().describe();
  struct Row {
    const char* image;
    std::vector<std::string> users;  // the usernames (or identity tokens) in lookup order
  };
  const std::vector<Row> rows = {
      {"busybox", {"hub"}},
      {"docker.io/prom/node-exporter", {"hub"}},
      {"registry.example:5000/team/app:1", {"user", "plain"}},  // most specific first
      {"registry.example:5000/teams/app", {"user", "plain"}},   // a string prefix, as the kubelet
      {"registry.example:5000/other/app", {"plain"}},
      {"registry.example/other/app", {}},  // the port must match
      {"registry.example:5001/team/app", {}},
      {"eu.gcr.io/project/app", {"tok"}},
      {"gcr.io/project/app", {}},  // "*." stands for exactly one label
      {"insecure.local/app", {"u"}},
      {"quay.io/app", {}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.image);
    std::vector<std::string> users;
    for (const auto& auth : creds->lookup(image(row.image)))
      users.push_back(auth.username.empty() ? auth.identityToken : auth.username);
    EXPECT_EQ(users, row.users);
  }
  auto hub = creds->lookup(image("busybox"));
  ASSERT_EQ(hub.size(), 1u);
  EXPECT_EQ(hub[0].password, "secret:with:colons");
}

TEST(RegistryCredentialsTest, MalformedConfigNamesTheField) {
  struct Row {
    const char* json;
    const char* context;
  };
  const Row rows[] = {
      {"[]", ""},
      {"not json", ""},
      {R"({"auths": []})", "auths"},
      {R"({"auths": {"quay.io": 1}})", "auths[\"quay.io\"]"},
      {R"({"auths": {"quay.io": {"auth": "!!!!"}}})", "auths[\"quay.io\"].auth"},
      {R"({"auths": {"quay.io": {"auth": "bm9jb2xvbg=="}}})", "auths[\"quay.io\"].auth"},  // "nocolon"
      {R"({"auths": {"quay.io": {"username": 5}}})", "auths[\"quay.io\"].username"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.json);
    auto creds = RegistryCredentials::parse(row.json);
    ASSERT_FALSE(creds);
    EXPECT_EQ(creds.error().context, row.context);
  }
  EXPECT_TRUE(RegistryCredentials::parse("{}")->empty());
}

TEST(RegistryCredentialsTest, MissingFileMeansNoCredentialsAndBadFileNamesIt) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("cri_creds_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto missing = RegistryCredentials::load((dir / "absent.json").string());
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->empty());
  { std::ofstream(dir / "bad.json") << "{"; }
  auto bad = RegistryCredentials::load((dir / "bad.json").string());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().context.find("bad.json"), std::string::npos);
  { std::ofstream(dir / "good.json") << kConfig; }
  auto good = RegistryCredentials::load((dir / "good.json").string());
  ASSERT_TRUE(good);
  EXPECT_FALSE(good->empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace daemonlet::runtime::cri
