#pragma once
// Invariant checks that stay on in release builds (stack/, sim/, fakes/ rely on them).
#include <cstdio>
#include <cstdlib>

#define SQUALL_ASSERT(cond, msg)                                                              \
  do {                                                                                        \
    if (!(cond)) [[unlikely]] {                                                               \
      std::fprintf(stderr, "squall: invariant violated at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   msg, #cond);                                                               \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
