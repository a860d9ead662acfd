#pragma once
// Building blocks of the decoder (internal to agent/model): a context that
// collects diagnostics and an ObjectReader that reads typed fields of one JSON
// object, reporting type errors and unknown fields with Kubernetes field paths.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/model/diagnostic.h"
#include "agent/model/types.h"

namespace daemonlet::model::decoding {

// Field names the Kubernetes API schema defines for one object type, modelled or not.
using KnownFields = std::span<const std::string_view>;

class DecodeContext {
 public:
  DecodeContext(SourceLocation where, Diagnostics& errors, Diagnostics& warnings)
      : where_(std::move(where)), errors_(errors), warnings_(warnings) {}

  void error(const std::string& path, std::string message);
  void unknownField(const std::string& path);
  // Reports that `value` at `path` does not have the expected JSON type.
  void typeError(const std::string& path, const Json& value, std::string_view expected);

 private:
  SourceLocation where_;
  Diagnostics& errors_;
  Diagnostics& warnings_;
};

std::string childPath(const std::string& parent, std::string_view key);
std::string indexPath(const std::string& parent, std::size_t index);
std::string keyPath(const std::string& parent, std::string_view key);  // map entry: parent[key]
std::string_view jsonTypeName(const Json& value);

// Scalar conversions; each returns false (after reporting) on a type mismatch.
// JSON null counts as absent, as Go's decoder treats it.
bool readString(DecodeContext& ctx, const Json& value, const std::string& path, std::string& out);
bool readBool(DecodeContext& ctx, const Json& value, const std::string& path, bool& out);
bool readInt64(DecodeContext& ctx, const Json& value, const std::string& path, std::int64_t& out);
bool readInt32(DecodeContext& ctx, const Json& value, const std::string& path, std::int32_t& out);
bool readIntOrString(DecodeContext& ctx, const Json& value, const std::string& path, IntOrString& out);
bool readQuantity(DecodeContext& ctx, const Json& value, const std::string& path,
                  std::optional<Quantity>& out);
void readStringList(DecodeContext& ctx, const Json& value, const std::string& path,
                    std::vector<std::string>& out);
void readStringMap(DecodeContext& ctx, const Json& value, const std::string& path, StringMap& out);
void readQuantityMap(DecodeContext& ctx, const Json& value, const std::string& path,
                     std::map<std::string, Quantity>& out);

class ObjectReader {
 public:
  // Checks that `value` is an object (null reads as empty) and warns about keys
  // outside `known`.
  ObjectReader(DecodeContext& ctx, const Json& value, std::string path, KnownFields known);

  bool isObject() const { return object_ != nullptr; }
  DecodeContext& context() const { return ctx_; }
  const std::string& path() const { return path_; }
  std::string pathOf(std::string_view key) const { return childPath(path_, key); }
  // The member, or nullptr when absent or null.
  const Json* get(std::string_view key) const;

  void string(std::string_view key, std::string& out) const;
  void optString(std::string_view key, std::optional<std::string>& out) const;
  void boolean(std::string_view key, bool& out) const;
  void optBool(std::string_view key, std::optional<bool>& out) const;
  void int32(std::string_view key, std::int32_t& out) const;
  void optInt32(std::string_view key, std::optional<std::int32_t>& out) const;
  void int64(std::string_view key, std::int64_t& out) const;
  void optInt64(std::string_view key, std::optional<std::int64_t>& out) const;
  void intOrString(std::string_view key, IntOrString& out) const;
  void optIntOrString(std::string_view key, std::optional<IntOrString>& out) const;
  void quantity(std::string_view key, std::optional<Quantity>& out) const;
  void stringList(std::string_view key, std::vector<std::string>& out) const;
  void stringMap(std::string_view key, StringMap& out) const;

  // Nested object: decode(ctx, json, path, T&).
  template <typename T, typename Decode>
  void object(std::string_view key, T& out, Decode decode) const {
    if (const Json* v = get(key)) decode(ctx_, *v, pathOf(key), out);
  }
  template <typename T, typename Decode>
  void optObject(std::string_view key, std::optional<T>& out, Decode decode) const {
    if (const Json* v = get(key)) {
      out.emplace();
      decode(ctx_, *v, pathOf(key), *out);
    }
  }
  template <typename T, typename Decode>
  void list(std::string_view key, std::vector<T>& out, Decode decode) const {
    const Json* v = get(key);
    if (v == nullptr) return;
    const std::string listPath = pathOf(key);
    if (!v->is_array()) {
      ctx_.typeError(listPath, *v, "array");
      return;
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
      decode(ctx_, (*v)[i], indexPath(listPath, i), out.emplace_back());
    }
  }

 private:
  DecodeContext& ctx_;
  const Json* object_ = nullptr;
  std::string path_;
};

}  // namespace daemonlet::model::decoding
