// The last-known-good cache: round trip, and every way a cache file is refused.
#include "agent/sources/endpoint_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "agent/sources/manifest_set.h"
#include "source_fixtures.h"

namespace daemonlet::sources {
namespace {

using testing::TempDir;

namespace fs = std::filesystem;

const std::string kCacheUrl = "https://fleet.example/daemonsets.json";

std::string daemonSetJson(const std::string& name, const std::string& image) {
  return R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":")" + name +
         R"(","namespace":"ops"},"spec":{"selector":{"matchLabels":{"app":")" + name +
         R"("}},"template":{"metadata":{"labels":{"app":")" + name +
         R"("}},"spec":{"containers":[{"name":"main","image":")" + image + R"("}]}}}})";
}

EndpointSnapshot snapshot(const std::string& body) {
  auto accepted = acceptEndpointBody(body, kCacheUrl, nullptr);
  EXPECT_TRUE(accepted) << accepted.error().describe();
  EndpointSnapshot out = accepted ? *accepted : EndpointSnapshot{};
  out.etag = "\"v7\"";
  out.lastModified = "Fri, 27 Nov 2026 20:00:00 GMT";
  out.fetchedAt = std::chrono::system_clock::from_time_t(1'800'000'000);
  return out;
}

std::string twoItems() {
  return R"({"apiVersion":"apps/v1","kind":"DaemonSetList","items":[)" + daemonSetJson("agent", "img:1") + "," +
         daemonSetJson("logs", "img:2") + "]}";
}

void writeText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> corruptCopies(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with("cache.json.corrupt-")) out.push_back(entry.path());
  }
  return out;
}

TEST(EndpointCacheTest, RoundTripKeepsRevisionsAndMetadata) {
  TempDir dir;
  EndpointCache cache(dir.path());
  EndpointSnapshot saved = snapshot(twoItems());
  saved.resourceVersion = "12345";
  saved.errors.push_back({"endpoint:" + kCacheUrl, "DaemonSet ops/bad: spec.selector: Required value"});
  ASSERT_TRUE(cache.save(saved));
  EXPECT_EQ(cache.path(), dir.path() / "endpoint" / "cache.json");
  EXPECT_EQ(fs::status(cache.path()).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

  auto loaded = cache.load(kCacheUrl);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->url, kCacheUrl);
  EXPECT_EQ(loaded->etag, "\"v7\"");
  EXPECT_EQ(loaded->lastModified, "Fri, 27 Nov 2026 20:00:00 GMT");
  EXPECT_EQ(loaded->resourceVersion, "12345");
  EXPECT_EQ(loaded->fetchedAt, saved.fetchedAt);
  ASSERT_EQ(loaded->daemonSets.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(daemonSetKey(*loaded->daemonSets[i].daemonSet), daemonSetKey(*saved.daemonSets[i].daemonSet));
    EXPECT_EQ(loaded->daemonSets[i].revision, saved.daemonSets[i].revision);
    EXPECT_EQ(loaded->daemonSets[i].origin, "endpoint:" + kCacheUrl);
  }
  ASSERT_EQ(loaded->errors.size(), 1u);
  EXPECT_EQ(loaded->errors[0].message, saved.errors[0].message);
  // Saving what was loaded writes the same document.
  EXPECT_EQ(endpointCacheDocument(*loaded), endpointCacheDocument(saved));
}

TEST(EndpointCacheTest, EmptyListRoundTripsAsEmpty) {
  TempDir dir;
  EndpointCache cache(dir.path());
  ASSERT_TRUE(cache.save(snapshot(R"({"apiVersion":"v1","kind":"List","items":[]})")));
  auto loaded = cache.load(kCacheUrl);
  ASSERT_TRUE(loaded);  // an explicit empty set is a snapshot, not "no cache"
  EXPECT_TRUE(loaded->daemonSets.empty());
}

TEST(EndpointCacheTest, NoFileIsNoCache) {
  TempDir dir;
  EXPECT_FALSE(EndpointCache(dir.path()).load(kCacheUrl));
  EXPECT_FALSE(fs::exists(dir.path() / "endpoint"));
}

TEST(EndpointCacheTest, OtherUrlIsIgnoredAndLeftInPlace) {
  TempDir dir;
  EndpointCache cache(dir.path());
  ASSERT_TRUE(cache.save(snapshot(twoItems())));
  const std::string before = readText(cache.path());
  EXPECT_FALSE(cache.load("https://other.example/ds.json"));
  EXPECT_EQ(readText(cache.path()), before);
  EXPECT_TRUE(corruptCopies(cache.path().parent_path()).empty());
  EXPECT_TRUE(cache.load(kCacheUrl));
}

TEST(EndpointCacheTest, CorruptFilesAreSetAsideNotDeleted) {
  TempDir dir;
  EndpointCache cache(dir.path());
  ASSERT_TRUE(cache.save(snapshot(twoItems())));
  const std::string good = readText(cache.path());
  const struct {
    std::string name;
    std::string content;
  } cases[] = {
      {"truncated", good.substr(0, good.size() / 2)},
      {"garbage", "\x01\x02 not json"},
      {"empty", ""},
      {"array", "[1,2]"},
      {"wrong kind", R"({"apiVersion":"daemonlet.io/v1alpha1","kind":"Other","url":")" + kCacheUrl + R"(","items":[]})"},
      {"items not a list",
       R"({"apiVersion":"daemonlet.io/v1alpha1","kind":"EndpointCache","url":")" + kCacheUrl +
           R"(","fetchedAt":"2026-11-27T20:00:00Z","items":{}})"},
      {"bad fetchedAt",
       R"({"apiVersion":"daemonlet.io/v1alpha1","kind":"EndpointCache","url":")" + kCacheUrl +
           R"(","fetchedAt":"yesterday","items":[]})"},
      {"url not a string",
       R"({"apiVersion":"daemonlet.io/v1alpha1","kind":"EndpointCache","url":7,"fetchedAt":"2026-11-27T20:00:00Z","items":[]})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir caseDir;
    EndpointCache broken(caseDir.path());
    writeText(broken.path(), c.content);
    EXPECT_FALSE(broken.load(kCacheUrl));
    EXPECT_FALSE(fs::exists(broken.path()));
    auto copies = corruptCopies(broken.path().parent_path());
    ASSERT_EQ(copies.size(), 1u);
    EXPECT_EQ(readText(copies[0]), c.content);
    // A later save works as usual.
    EXPECT_TRUE(broken.save(snapshot(twoItems())));
    EXPECT_TRUE(broken.load(kCacheUrl));
  }
}

TEST(EndpointCacheTest, InvalidCachedItemIsRejectedAloneOnLoad) {
  TempDir dir;
  EndpointCache cache(dir.path());
  ASSERT_TRUE(cache.save(snapshot(twoItems())));
  // Edit one item so that it no longer validates (as a stricter agent would see it).
  std::string text = readText(cache.path());
  const std::string image = "\"image\": \"img:2\"";
  ASSERT_NE(text.find(image), std::string::npos) << text;
  text.replace(text.find(image), image.size(), "\"image\": \"\"");
  writeText(cache.path(), text);
  auto loaded = cache.load(kCacheUrl);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->daemonSets.size(), 1u);
  EXPECT_EQ(loaded->daemonSets[0].daemonSet->metadata.name, "agent");
  ASSERT_FALSE(loaded->errors.empty());
  EXPECT_NE(loaded->errors[0].message.find("image"), std::string::npos) << loaded->errors[0].message;
}

TEST(EndpointCacheTest, SaveReplacesTheWholeFile) {
  TempDir dir;
  EndpointCache cache(dir.path());
  ASSERT_TRUE(cache.save(snapshot(twoItems())));
  ASSERT_TRUE(cache.save(snapshot(R"({"apiVersion":"apps/v1","kind":"DaemonSetList","items":[)" +
                                  daemonSetJson("agent", "img:9") + "]}")));
  auto loaded = cache.load(kCacheUrl);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->daemonSets.size(), 1u);
  EXPECT_EQ(loaded->daemonSets[0].daemonSet->spec.template_.spec.containers[0].image, "img:9");
  // No temp files are left beside it.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(cache.path().parent_path())) ++files;
  EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace daemonlet::sources
