# Build settings that shrink what the agent keeps resident. The agent idles
# beside the daemons it supervises for days, so its resident memory (PSS) is one
# of the figures it is judged by (issue 3, bench/README.md): every page of its
# own text that is touched, with the neighbours the kernel maps along (fault
# around), counts whole, and every shared library it loads costs relocated data
# pages of its own.
#
#  - Each function and datum in its own section, and the linker drops those that
#    nothing references: code of the static libraries that no caller uses.
#  - --as-needed: a library named on a link line but not used by the executable
#    is not loaded at run time (one less mapping, no relocations to apply).
#  - -O1 for the linker: smaller dynamic hash tables.
# None of these change behaviour, and all work with the sanitizer build.
add_compile_options(-ffunction-sections -fdata-sections)
add_link_options(LINKER:--gc-sections LINKER:--as-needed LINKER:-O1)

# Optimized builds (what bench/run.sh and the packages use) optimize for size:
# -Os halves the agent's own text (decode_container.cpp 28.8 -> 13.7 KiB,
# status_json.cpp 81 -> 43 KiB) and so about 1 MiB of its resident memory. Its
# CPU work per pass or restart is small beside fork/exec and the disk; switch
# off with -DDAEMONLET_OPTIMIZE_SIZE=OFF to compare.
option(DAEMONLET_OPTIMIZE_SIZE "Compile optimized builds with -Os instead of -O2/-O3" ON)
if(DAEMONLET_OPTIMIZE_SIZE)
  # Later -O options win, so this overrides CMAKE_CXX_FLAGS_<CONFIG>'s -O2/-O3
  # in optimized configurations and leaves Debug (-O0) alone.
  add_compile_options($<$<CONFIG:Release,RelWithDebInfo>:-Os>)
endif()

# Not enabled: LTO (-flto=auto, gcc-ar/gcc-ranlib) on top of -Os takes the
# agent's text from 1.55 to 1.20 MB (resident 1064 -> 824 KiB at 50 daemons) and
# links without warnings on g++ 12, but makes every test executable an LTO link
# unless the objects are built fat (-ffat-lto-objects) and only `daemonlet`
# links with -flto.
