// FieldError rendering and the small helpers every validation file uses: field
// paths as field.Path prints them and bad values as field.Error prints them.
#include <cstdio>

#include "agent/model/validation.h"
#include "agent/model/validation_internal.h"

namespace daemonlet::model {
namespace {

const char* typeText(FieldError::Type type) {
  switch (type) {
    case FieldError::Type::kRequired: return "Required value";
    case FieldError::Type::kInvalid: return "Invalid value";
    case FieldError::Type::kNotSupported: return "Unsupported value";
    case FieldError::Type::kDuplicate: return "Duplicate value";
    case FieldError::Type::kForbidden: return "Forbidden";
    case FieldError::Type::kTooLong: return "Too long";
    case FieldError::Type::kTooMany: return "Too many";
    case FieldError::Type::kNotFound: return "Not found";
  }
  return "Internal error";
}

}  // namespace

std::string FieldError::toString() const {
  std::string body = typeText(type);
  // Required, Forbidden and TooLong never show the value (field.Error.ErrorBody);
  // an empty rendered value stands for Go's omitValue.
  const bool showsValue =
      type != Type::kRequired && type != Type::kForbidden && type != Type::kTooLong && !badValue.empty();
  if (showsValue) body += ": " + badValue;
  if (!detail.empty()) body += ": " + detail;
  return field + ": " + body;
}

namespace validation_detail {

std::string child(const std::string& path, std::string_view name) {
  if (path.empty()) return std::string(name);
  return path + "." + std::string(name);
}
std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string key(const std::string& path, std::string_view k) { return path + "[" + std::string(k) + "]"; }

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through as Go prints printable runes
        }
    }
  }
  return out + "\"";
}

std::string renderInt(std::int64_t v) { return std::to_string(v); }

std::string renderStringMap(const StringMap& m) {
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, v] : m) {  // Go's fmt sorts map keys, as std::map does
    if (!first) out += ", ";
    first = false;
    out += quote(k) + ":" + quote(v);
  }
  return out + "}";
}

std::string renderIntOrString(const IntOrString& v) {
  return "intstr.IntOrString{Type:" + std::string(v.isString ? "1" : "0") + ", IntVal:" +
         std::to_string(v.isString ? 0 : v.intValue) + ", StrVal:" + quote(v.isString ? v.stringValue : "") + "}";
}

FieldError required(std::string path, std::string detail) {
  return FieldError{FieldError::Type::kRequired, std::move(path), {}, std::move(detail)};
}
FieldError forbidden(std::string path, std::string detail) {
  return FieldError{FieldError::Type::kForbidden, std::move(path), {}, std::move(detail)};
}
FieldError invalid(std::string path, std::string renderedValue, std::string detail) {
  return FieldError{FieldError::Type::kInvalid, std::move(path), std::move(renderedValue), std::move(detail)};
}
FieldError notSupported(std::string path, std::string renderedValue, const std::vector<std::string>& supported) {
  std::string detail;
  if (!supported.empty()) {
    detail = "supported values: ";
    for (std::size_t i = 0; i < supported.size(); ++i) {
      if (i > 0) detail += ", ";
      detail += quote(supported[i]);
    }
  }
  return FieldError{FieldError::Type::kNotSupported, std::move(path), std::move(renderedValue), std::move(detail)};
}
FieldError duplicate(std::string path, std::string renderedValue) {
  return FieldError{FieldError::Type::kDuplicate, std::move(path), std::move(renderedValue), {}};
}
FieldError notFound(std::string path, std::string renderedValue) {
  return FieldError{FieldError::Type::kNotFound, std::move(path), std::move(renderedValue), {}};
}
FieldError tooLong(std::string path, std::int64_t maxLength) {
  return FieldError{FieldError::Type::kTooLong, std::move(path), {},
                    "may not be more than " + std::to_string(maxLength) + " bytes"};
}

void addInvalid(FieldErrors& out, const std::string& path, const std::string& rendered, const Messages& msgs) {
  for (const auto& msg : msgs) out.push_back(invalid(path, rendered, msg));
}
void validateDns1123Label(std::string_view v, const std::string& path, FieldErrors& out) {
  addInvalid(out, path, quote(v), isDns1123Label(v));
}
void validateDns1123Subdomain(std::string_view v, const std::string& path, FieldErrors& out) {
  addInvalid(out, path, quote(v), isDns1123Subdomain(v));
}
void validateNonnegative(std::int64_t v, const std::string& path, FieldErrors& out) {
  if (v < 0) out.push_back(invalid(path, renderInt(v), "must be greater than or equal to 0"));
}

}  // namespace validation_detail
}  // namespace daemonlet::model
