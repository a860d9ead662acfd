#include "agent/model/decode_reader.h"

#include <algorithm>
#include <limits>

namespace daemonlet::model::decoding {

void DecodeContext::error(const std::string& path, std::string message) {
  errors_.push_back(Diagnostic{Diagnostic::Severity::kError, where_, path, std::move(message)});
}

void DecodeContext::unknownField(const std::string& path) {
  warnings_.push_back(
      Diagnostic{Diagnostic::Severity::kWarning, where_, path, "unknown field \"" + path + "\""});
}

void DecodeContext::typeError(const std::string& path, const Json& value, std::string_view expected) {
  error(path, "expected " + std::string(expected) + ", got " + std::string(jsonTypeName(value)));
}

std::string childPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}
std::string indexPath(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}
std::string keyPath(const std::string& parent, std::string_view key) {
  return parent + "[" + std::string(key) + "]";
}

std::string_view jsonTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    default:
      return "unsupported value";
  }
}

bool readString(DecodeContext& ctx, const Json& value, const std::string& path, std::string& out) {
  if (value.is_null()) return true;
  if (!value.is_string()) {
    ctx.typeError(path, value, "string");
    return false;
  }
  out = value.get<std::string>();
  return true;
}

bool readBool(DecodeContext& ctx, const Json& value, const std::string& path, bool& out) {
  if (value.is_null()) return true;
  if (!value.is_boolean()) {
    ctx.typeError(path, value, "boolean");
    return false;
  }
  out = value.get<bool>();
  return true;
}

bool readInt64(DecodeContext& ctx, const Json& value, const std::string& path, std::int64_t& out) {
  if (value.is_null()) return true;
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    out = value.get<std::int64_t>();
    return true;
  }
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      out = static_cast<std::int64_t>(v);
      return true;
    }
    ctx.error(path, "value " + value.dump() + " does not fit in int64");
    return false;
  }
  ctx.typeError(path, value, "integer");
  return false;
}

bool readInt32(DecodeContext& ctx, const Json& value, const std::string& path, std::int32_t& out) {
  std::int64_t wide = out;
  if (!readInt64(ctx, value, path, wide)) return false;
  if (wide < std::numeric_limits<std::int32_t>::min() || wide > std::numeric_limits<std::int32_t>::max()) {
    ctx.error(path, "value " + std::to_string(wide) + " does not fit in int32");
    return false;
  }
  out = static_cast<std::int32_t>(wide);
  return true;
}

bool readIntOrString(DecodeContext& ctx, const Json& value, const std::string& path, IntOrString& out) {
  if (value.is_null()) return true;
  if (value.is_string()) {
    out = IntOrString::fromString(value.get<std::string>());
    return true;
  }
  if (value.is_number_integer()) {
    std::int32_t v = 0;  // intstr.IntOrString holds an int32
    if (!readInt32(ctx, value, path, v)) return false;
    out = IntOrString::fromInt(v);
    return true;
  }
  ctx.typeError(path, value, "integer or string");
  return false;
}

bool readQuantity(DecodeContext& ctx, const Json& value, const std::string& path,
                  std::optional<Quantity>& out) {
  if (value.is_null()) return true;
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
    // Quantity's JSON decoding trims surrounding spaces.
    const auto first = text.find_first_not_of(" \t\r\n");
    const auto last = text.find_last_not_of(" \t\r\n");
    text = first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
  } else if (value.is_number()) {
    text = value.dump();  // the number as written, then parsed like a string
  } else {
    ctx.typeError(path, value, "quantity (string or number)");
    return false;
  }
  auto parsed = Quantity::parse(text);
  if (!parsed) {
    ctx.error(path, "invalid quantity \"" + text + "\"");
    return false;
  }
  out = std::move(parsed);
  return true;
}

void readStringList(DecodeContext& ctx, const Json& value, const std::string& path,
                    std::vector<std::string>& out) {
  if (value.is_null()) return;
  if (!value.is_array()) {
    ctx.typeError(path, value, "array of strings");
    return;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    std::string item;
    readString(ctx, value[i], indexPath(path, i), item);
    out.push_back(std::move(item));
  }
}

void readStringMap(DecodeContext& ctx, const Json& value, const std::string& path, StringMap& out) {
  if (value.is_null()) return;
  if (!value.is_object()) {
    ctx.typeError(path, value, "object of strings");
    return;
  }
  for (const auto& [key, item] : value.items()) {
    std::string text;
    if (readString(ctx, item, keyPath(path, key), text)) out[key] = std::move(text);
  }
}

void readQuantityMap(DecodeContext& ctx, const Json& value, const std::string& path,
                     std::map<std::string, Quantity>& out) {
  if (value.is_null()) return;
  if (!value.is_object()) {
    ctx.typeError(path, value, "object of quantities");
    return;
  }
  for (const auto& [key, item] : value.items()) {
    std::optional<Quantity> quantity;
    if (readQuantity(ctx, item, keyPath(path, key), quantity) && quantity)
      out.insert_or_assign(key, *quantity);
  }
}

ObjectReader::ObjectReader(DecodeContext& ctx, const Json& value, std::string path, KnownFields known)
    : ctx_(ctx), path_(std::move(path)) {
  if (value.is_null()) return;
  if (!value.is_object()) {
    ctx_.typeError(path_, value, "object");
    return;
  }
  object_ = &value;
  for (const auto& [key, item] : value.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) ctx_.unknownField(childPath(path_, key));
  }
}

const Json* ObjectReader::get(std::string_view key) const {
  if (object_ == nullptr) return nullptr;
  const auto it = object_->find(key);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

void ObjectReader::string(std::string_view key, std::string& out) const {
  if (const Json* v = get(key)) readString(ctx_, *v, pathOf(key), out);
}
void ObjectReader::optString(std::string_view key, std::optional<std::string>& out) const {
  if (const Json* v = get(key)) {
    std::string text;
    if (readString(ctx_, *v, pathOf(key), text)) out = std::move(text);
  }
}
void ObjectReader::boolean(std::string_view key, bool& out) const {
  if (const Json* v = get(key)) readBool(ctx_, *v, pathOf(key), out);
}
void ObjectReader::optBool(std::string_view key, std::optional<bool>& out) const {
  if (const Json* v = get(key)) {
    bool flag = false;
    if (readBool(ctx_, *v, pathOf(key), flag)) out = flag;
  }
}
void ObjectReader::int32(std::string_view key, std::int32_t& out) const {
  if (const Json* v = get(key)) readInt32(ctx_, *v, pathOf(key), out);
}
void ObjectReader::optInt32(std::string_view key, std::optional<std::int32_t>& out) const {
  if (const Json* v = get(key)) {
    std::int32_t number = 0;
    if (readInt32(ctx_, *v, pathOf(key), number)) out = number;
  }
}
void ObjectReader::int64(std::string_view key, std::int64_t& out) const {
  if (const Json* v = get(key)) readInt64(ctx_, *v, pathOf(key), out);
}
void ObjectReader::optInt64(std::string_view key, std::optional<std::int64_t>& out) const {
  if (const Json* v = get(key)) {
    std::int64_t number = 0;
    if (readInt64(ctx_, *v, pathOf(key), number)) out = number;
  }
}
void ObjectReader::intOrString(std::string_view key, IntOrString& out) const {
  if (const Json* v = get(key)) readIntOrString(ctx_, *v, pathOf(key), out);
}
void ObjectReader::optIntOrString(std::string_view key, std::optional<IntOrString>& out) const {
  if (const Json* v = get(key)) {
    IntOrString value;
    if (readIntOrString(ctx_, *v, pathOf(key), value)) out = std::move(value);
  }
}
void ObjectReader::quantity(std::string_view key, std::optional<Quantity>& out) const {
  if (const Json* v = get(key)) readQuantity(ctx_, *v, pathOf(key), out);
}
void ObjectReader::stringList(std::string_view key, std::vector<std::string>& out) const {
  if (const Json* v = get(key)) readStringList(ctx_, *v, pathOf(key), out);
}
void ObjectReader::stringMap(std::string_view key, StringMap& out) const {
  if (const Json* v = get(key)) readStringMap(ctx_, *v, pathOf(key), out);
}

}  // namespace daemonlet::model::decoding
