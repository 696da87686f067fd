#ifndef GRADTRACE_CGRAPHVIZ_SHIM_H
#define GRADTRACE_CGRAPHVIZ_SHIM_H
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>
#endif
