#pragma once
// Character classes of Kubernetes' names and quantities: ASCII only, whatever
// the C locale says (std::isdigit and friends follow the locale).
namespace daemonlet::model {

inline bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
inline bool isAsciiLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || isAsciiDigit(c); }
inline bool isAsciiAlnum(char c) { return isAsciiLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

}  // namespace daemonlet::model
