# cpp-httplib for the local HTTP API, compiled from Debian 12's own source package
# WITHOUT TLS, zlib or brotli (agent/status/httplib/httplib.h says why), as the static
# library `daemonlet_httplib`. Link that target instead of pkg-config's cpp-httplib.
#
# packaging/fetch-httplib-source.sh puts the patched full httplib.h and LICENSE into
# DAEMONLET_HTTPLIB_SOURCE_DIR. At configure time the header is split exactly as
# upstream's split.py (and so Debian's build) splits it: declarations stay in
# cpp-httplib/httplib.h, the implementation goes to cpp-httplib/httplib.cc with
# `inline ` removed, compiled once in agent/status/httplib/httplib_impl.cpp. Every
# other translation unit sees only declarations, with the same macros (fixed in the
# wrapper header), so there is one definition of each function in the program.

execute_process(COMMAND dpkg-query -W -f=\${Version} libcpp-httplib-dev
  OUTPUT_VARIABLE _daemonlet_httplib_version RESULT_VARIABLE _daemonlet_httplib_rc ERROR_QUIET)
if(NOT _daemonlet_httplib_rc EQUAL 0 OR _daemonlet_httplib_version STREQUAL "")
  set(_daemonlet_httplib_version "unknown-libcpp-httplib-dev-not-installed")
endif()
# The same place the fetch script chooses (its cache root, or ~/.cache for non-root).
if(DEFINED ENV{DAEMONLET_SOURCE_CACHE})
  set(_daemonlet_httplib_default "$ENV{DAEMONLET_SOURCE_CACHE}/cpp-httplib-${_daemonlet_httplib_version}")
else()
  set(_daemonlet_httplib_default "/var/cache/daemonlet-build/cpp-httplib-${_daemonlet_httplib_version}")
  if(NOT EXISTS "${_daemonlet_httplib_default}/httplib.h" AND DEFINED ENV{HOME})
    set(_daemonlet_httplib_home "$ENV{HOME}/.cache/daemonlet-build/cpp-httplib-${_daemonlet_httplib_version}")
    if(DEFINED ENV{XDG_CACHE_HOME})
      set(_daemonlet_httplib_home "$ENV{XDG_CACHE_HOME}/daemonlet-build/cpp-httplib-${_daemonlet_httplib_version}")
    endif()
    if(EXISTS "${_daemonlet_httplib_home}/httplib.h")
      set(_daemonlet_httplib_default "${_daemonlet_httplib_home}")
    endif()
  endif()
endif()
set(DAEMONLET_HTTPLIB_SOURCE_DIR "${_daemonlet_httplib_default}" CACHE PATH
  "Directory with cpp-httplib's patched full httplib.h and LICENSE (packaging/fetch-httplib-source.sh)")

set(_daemonlet_httplib_header "${DAEMONLET_HTTPLIB_SOURCE_DIR}/httplib.h")
if(NOT EXISTS "${_daemonlet_httplib_header}" OR NOT EXISTS "${DAEMONLET_HTTPLIB_SOURCE_DIR}/LICENSE")
  message(FATAL_ERROR "cpp-httplib source not found in DAEMONLET_HTTPLIB_SOURCE_DIR="
    "${DAEMONLET_HTTPLIB_SOURCE_DIR}. Run packaging/fetch-httplib-source.sh (as root it is called "
    "by packaging/install-deps.sh), or point DAEMONLET_HTTPLIB_SOURCE_DIR at its output directory.")
endif()
# A re-fetched header re-runs the split.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_daemonlet_httplib_header}")

# The split (split.py's rule): the two border lines are dropped, what lies between
# them is the implementation.
file(READ "${_daemonlet_httplib_header}" _daemonlet_httplib_text)
set(_daemonlet_httplib_border "// ----------------------------------------------------------------------------\n")
string(LENGTH "${_daemonlet_httplib_border}" _border_length)
string(FIND "${_daemonlet_httplib_text}" "${_daemonlet_httplib_border}" _border_first)
string(FIND "${_daemonlet_httplib_text}" "${_daemonlet_httplib_border}" _border_last REVERSE)
if(_border_first EQUAL -1 OR _border_first EQUAL _border_last)
  message(FATAL_ERROR "${_daemonlet_httplib_header}: expected two split.py border lines")
endif()
math(EXPR _impl_begin "${_border_first} + ${_border_length}")
math(EXPR _impl_length "${_border_last} - ${_impl_begin}")
math(EXPR _tail_begin "${_border_last} + ${_border_length}")
string(SUBSTRING "${_daemonlet_httplib_text}" ${_impl_begin} ${_impl_length} _daemonlet_httplib_impl)
string(FIND "${_daemonlet_httplib_impl}" "${_daemonlet_httplib_border}" _border_middle)
if(NOT _border_middle EQUAL -1)
  message(FATAL_ERROR "${_daemonlet_httplib_header}: more than two split.py border lines")
endif()
string(SUBSTRING "${_daemonlet_httplib_text}" 0 ${_border_first} _daemonlet_httplib_head)
string(SUBSTRING "${_daemonlet_httplib_text}" ${_tail_begin} -1 _daemonlet_httplib_tail)
string(REPLACE "inline " "" _daemonlet_httplib_impl "${_daemonlet_httplib_impl}")

set(_daemonlet_httplib_out "${CMAKE_BINARY_DIR}/httplib/cpp-httplib")
file(MAKE_DIRECTORY "${_daemonlet_httplib_out}")
# Written through a temporary file so an unchanged split does not rebuild anything.
file(WRITE "${_daemonlet_httplib_out}/httplib.h.new" "${_daemonlet_httplib_head}${_daemonlet_httplib_tail}")
file(WRITE "${_daemonlet_httplib_out}/httplib.cc.new"
  "#include \"httplib.h\"\nnamespace httplib {\n${_daemonlet_httplib_impl}} // namespace httplib\n")
foreach(_file httplib.h httplib.cc)
  file(COPY_FILE "${_daemonlet_httplib_out}/${_file}.new" "${_daemonlet_httplib_out}/${_file}" ONLY_IF_DIFFERENT)
  file(REMOVE "${_daemonlet_httplib_out}/${_file}.new")
endforeach()
unset(_daemonlet_httplib_text)
unset(_daemonlet_httplib_impl)
unset(_daemonlet_httplib_head)
unset(_daemonlet_httplib_tail)

add_library(daemonlet_httplib STATIC ${PROJECT_SOURCE_DIR}/agent/status/httplib/httplib_impl.cpp)
# Our wrapper <httplib.h> first (a plain -I, searched before /usr/include and its
# split header); the third-party files as SYSTEM so -Werror does not apply to them.
target_include_directories(daemonlet_httplib
  PUBLIC ${PROJECT_SOURCE_DIR}/agent/status/httplib
  SYSTEM PUBLIC ${CMAKE_BINARY_DIR}/httplib)
target_link_libraries(daemonlet_httplib PUBLIC Threads::Threads)

# MIT requires the notice with the compiled-in code: the packages' copyright
# file quotes this LICENSE (packaging/package_docs.cmake).
