// daemonlet-shim: the shim on its own (see shim_main.h).
#include "runtime/process/shim_main.h"

int main(int argc, char** argv) { return daemonlet::runtime::process::runShim(argc, argv); }
