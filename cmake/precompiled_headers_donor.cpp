// The one source of a precompiled-header donor target (cmake/precompiled_headers.cmake):
// the target exists to build the precompiled header other targets reuse.
