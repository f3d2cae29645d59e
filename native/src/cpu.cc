#include "cpu.h"

#include <cstdlib>
#include <cstring>

namespace ty {
namespace {

Isa detect() {
#if defined(TY_X86_KERNELS) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    return Isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
#endif
  return Isa::generic;
}

Isa choose() {
  Isa best = detect();
  const char* forced = std::getenv("TRAINYARD_ISA");
  if (forced == nullptr || *forced == '\0') return best;
  Isa wanted = best;
  if (std::strcmp(forced, "generic") == 0) wanted = Isa::generic;
  else if (std::strcmp(forced, "avx2") == 0) wanted = Isa::avx2;
  else if (std::strcmp(forced, "avx512") == 0) wanted = Isa::avx512;
  return static_cast<int>(wanted) < static_cast<int>(best) ? wanted : best;
}

}  // namespace

Isa active_isa() {
  static const Isa isa = choose();
  return isa;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    default: return "generic";
  }
}

}  // namespace ty
