// FUZZ_CHECK: a property every input must keep. A broken one prints what broke and aborts, so
// libFuzzer saves the input as a crash exactly as it does for a sanitizer report; a plain
// assert would vanish under NDEBUG. Fuzz targets only, any thread.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                              \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", __FILE__, __LINE__, #condition, \
                   what);                                                                        \
      std::abort();                                                                              \
    }                                                                                            \
  } while (false)
