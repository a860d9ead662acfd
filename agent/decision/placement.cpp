#include "agent/decision/placement.h"
// Placeholder until the placement helper lands its implementation.
