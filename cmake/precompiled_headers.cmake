# Precompiled third-party headers for the test command's trees (scripts/build.sh
# turns DAEMONLET_PCH on for release and asan). On 2 cores that command is mostly
# compiling, and in a typical translation unit of ours about 40% of the compiler's
# time (-ftime-report) goes to parsing nlohmann/json.hpp, gtest.h, Asio and the std headers
# again; a precompiled copy is loaded instead. Measured in the asan tree (user+sys
# per object, both trees compiled side by side on the same loaded machine): the
# 32 model/decision translation units 29% less CPU (176 -> 125 s); the three donors
# cost about 30 s per tree, what five ordinary translation units cost.
#
# Off by default, so the everyday (ccache) builds keep checking that every file
# includes what it uses: a precompiled header makes a forgotten #include compile.
# ccache would also not cache PCH compiles without extra sloppiness settings.
#
# Each header set is precompiled once per build tree, in a small donor target, and
# every other target reuses it (REUSE_FROM), so no target pays its own precompile.
# GCC refuses a precompiled header made with other code-generation flags, and
# CMake adds -Winvalid-pch, which -Werror turns into a build error: a target whose
# flags differ fails loudly instead of silently parsing the headers again.
#
# Which set a target gets follows what it links, so a header is never injected
# into code that could not have included it anyway:
#  - test: links GoogleTest -> the std headers, nlohmann/json and gtest.h, plus
#    Asio when the target links Boost (reconciler, loop, prober tests).
#  - lib: links nlohmann_json (directly or through our libraries) -> the std
#    headers and nlohmann/json. Never Asio: Asio's headers emit a static
#    initializer into every translation unit that includes them, which would grow
#    the shipped agent's code.
#  - none: everything else (small C-like tools, the generated protobuf code).
# PIC targets (the CRI module and what it links) are left alone: GCC rejects a
# PCH made without -fPIC there, and they would need donors of their own.
option(DAEMONLET_PCH "Precompile the heavy third-party headers (the test command's trees)" OFF)

set(_daemonlet_pch_std <algorithm> <chrono> <cstdint> <functional> <map> <memory> <optional> <set>
  <string> <string_view> <unordered_map> <utility> <variant> <vector>)
# <utility> before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it.
set(_daemonlet_pch_headers_lib ${_daemonlet_pch_std} <nlohmann/json.hpp>)
set(_daemonlet_pch_headers_test ${_daemonlet_pch_headers_lib} <gtest/gtest.h>)
set(_daemonlet_pch_headers_test_asio ${_daemonlet_pch_headers_test} <boost/asio.hpp>)

# Every target defined in `dir` and below.
function(_daemonlet_pch_targets_below dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _daemonlet_pch_targets_below(${sub} below)
    list(APPEND targets ${below})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# The link closure of `target` (target names only; generator expressions skipped).
function(_daemonlet_pch_link_closure target out)
  set(seen)
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue current)
    if(current IN_LIST seen)
      continue()
    endif()
    # Names are kept even when not visible here: find_package() targets such as
    # GTest::gtest_main are local to the folder that found them.
    list(APPEND seen ${current})
    if(NOT TARGET ${current})
      continue()
    endif()
    get_target_property(aliased ${current} ALIASED_TARGET)
    if(aliased)
      list(APPEND queue ${aliased})
    endif()
    get_target_property(type ${current} TYPE)
    set(props INTERFACE_LINK_LIBRARIES)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(imported ${current} IMPORTED)
      if(NOT imported)
        list(APPEND props LINK_LIBRARIES)
      endif()
    endif()
    foreach(prop IN LISTS props)
      get_target_property(libs ${current} ${prop})
      foreach(lib IN LISTS libs)
        string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
        if(lib AND NOT lib MATCHES "^\\$<")
          list(APPEND queue ${lib})
        endif()
      endforeach()
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

# The header set `target` gets: test_asio, test, lib or "" (none).
function(_daemonlet_pch_kind target out)
  set(${out} "" PARENT_SCOPE)
  get_target_property(type ${target} TYPE)
  if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|OBJECT_LIBRARY)$")
    return()
  endif()
  foreach(prop POSITION_INDEPENDENT_CODE DISABLE_PRECOMPILE_HEADERS PRECOMPILE_HEADERS
               PRECOMPILE_HEADERS_REUSE_FROM)
    get_target_property(value ${target} ${prop})
    if(value)
      # PIC, opted out, or has a PCH of its own.
      return()
    endif()
  endforeach()
  # Flags of its own (beyond the top directory's, which the donors get) might not
  # match a donor's.
  get_target_property(options ${target} COMPILE_OPTIONS)
  get_directory_property(top_options DIRECTORY ${PROJECT_SOURCE_DIR} COMPILE_OPTIONS)
  if(NOT "${options}" STREQUAL "${top_options}")
    return()
  endif()
  get_target_property(sources ${target} SOURCES)
  list(FILTER sources INCLUDE REGEX "\\.(cpp|cc|cxx)$")
  if(NOT sources)
    return()
  endif()
  _daemonlet_pch_link_closure(${target} closure)
  # pkg-config imported targets (gRPC's) bring their own -D flags (-DNOMINMAX),
  # which no shared precompiled header was built with.
  if(closure MATCHES "(^|;)PkgConfig::")
    return()
  endif()
  if(closure MATCHES "(^|;)GTest::")
    if(closure MATCHES "(^|;)Boost::")
      set(${out} test_asio PARENT_SCOPE)
    else()
      set(${out} test PARENT_SCOPE)
    endif()
  elseif("nlohmann_json::nlohmann_json" IN_LIST closure)
    set(${out} lib PARENT_SCOPE)
  endif()
endfunction()

# Gives every eligible target below the top directory its precompiled header set.
# Called once, after every add_subdirectory().
function(daemonlet_precompile_headers)
  if(NOT DAEMONLET_PCH)
    return()
  endif()
  _daemonlet_pch_targets_below(${PROJECT_SOURCE_DIR} targets)
  # The donors link these like their consumers do (found in subfolders, not here).
  find_package(GTest)
  find_package(Boost 1.74)
  set(donor_source ${PROJECT_SOURCE_DIR}/cmake/precompiled_headers_donor.cpp)
  set(donors)
  foreach(target IN LISTS targets)
    _daemonlet_pch_kind(${target} kind)
    if(NOT kind)
      continue()
    endif()
    set(donor daemonlet_pch_${kind})
    if(NOT TARGET ${donor})
      # The donor links what the consumers link for these headers, so it sees the
      # same include directories and definitions.
      add_library(${donor} OBJECT EXCLUDE_FROM_ALL ${donor_source})
      target_link_libraries(${donor} PRIVATE nlohmann_json::nlohmann_json)
      if(kind MATCHES "^test")
        target_link_libraries(${donor} PRIVATE GTest::gtest_main)
      endif()
      if(kind STREQUAL "test_asio")
        target_link_libraries(${donor} PRIVATE Boost::boost)
      endif()
      target_precompile_headers(${donor} PRIVATE ${_daemonlet_pch_headers_${kind}})
    endif()
    target_precompile_headers(${target} REUSE_FROM ${donor})
  endforeach()
endfunction()
