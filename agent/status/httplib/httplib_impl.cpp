// The one translation unit that compiles cpp-httplib's implementation (the part
// split.py moves out of the header). Everything else includes only <httplib.h>.
#include <httplib.h>

#include <cpp-httplib/httplib.cc>
