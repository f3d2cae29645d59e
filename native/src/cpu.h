// Which instruction set this process runs its SIMD kernels with, chosen once at run time.
#pragma once

namespace ty {

enum class Isa { generic, avx2, avx512 };

// The best instruction set both the CPU and this build support; TRAINYARD_ISA=generic|avx2|avx512
// lowers it (for tests and comparisons), never raises it above what the CPU has.
Isa active_isa();
const char* isa_name(Isa isa);

}  // namespace ty
