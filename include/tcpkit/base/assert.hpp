#pragma once
// TCPKIT_ASSERT: checks an invariant in every build type (bugs are assertions, not errors).

#include <cstdio>
#include <cstdlib>

#define TCPKIT_ASSERT(cond)                                                             \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
