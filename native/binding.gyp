# The Trainyard native kernels. Built by scripts/build-native.mjs (run by `npm install` and
# `npm run build:native`). The SIMD code lives in one static library per instruction set, each
# compiled with its own -m flags, so the build never depends on the CPU that builds it; the addon
# picks the best library at run time (see src/cpu.cc).
{
  "target_defaults": {
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-O2"],
    "cflags!": ["-O2"],
    "cflags_cc": ["-std=gnu++17", "-fexceptions", "-O3", "-fPIC", "-ffp-contract=fast",
                  "-fno-math-errno", "-fvisibility=hidden"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
  },
  "targets": [
    {
      "target_name": "ty_kernels_avx512",
      "type": "static_library",
      "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma",
                    "-mprefer-vector-width=512"],
      "defines": ["TY_ISA=avx512"],
      "sources": ["src/gemm_ukernel_avx512.cc"],
    },
    {
      "target_name": "ty_kernels_avx2",
      "type": "static_library",
      "cflags_cc": ["-mavx2", "-mfma"],
      "defines": ["TY_ISA=avx2"],
      "sources": ["src/gemm_ukernel_avx2.cc"],
    },
    {
      "target_name": "ty_kernels_generic",
      "type": "static_library",
      "defines": ["TY_ISA=generic"],
      "sources": ["src/gemm_ukernel_generic.cc"],
    },
    # The vectorised elementwise/optimizer kernels (src/vec_kernels.h), one library per instruction
    # set; -ffp-contract=off keeps every ISA's results bit-identical to the portable build.
    {
      "target_name": "ty_vec_avx512",
      "type": "static_library",
      "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma",
                    "-mprefer-vector-width=512", "-ffp-contract=off"],
      "sources": ["src/vec_kernels_avx512.cc"],
    },
    {
      "target_name": "ty_vec_avx2",
      "type": "static_library",
      "cflags_cc": ["-mavx2", "-mfma", "-ffp-contract=off"],
      "sources": ["src/vec_kernels_avx2.cc"],
    },
    {
      "target_name": "ty_vec_generic",
      "type": "static_library",
      "cflags_cc": ["-ffp-contract=off"],
      "sources": ["src/vec_kernels_generic.cc"],
    },
    {
      "target_name": "trainyard_native",
      "dependencies": ["ty_kernels_generic", "ty_vec_generic"],
      "conditions": [
        ["target_arch=='x64' or target_arch=='ia32'", {
          "dependencies": ["ty_kernels_avx512", "ty_kernels_avx2", "ty_vec_avx512", "ty_vec_avx2"],
          "defines": ["TY_X86_KERNELS=1"],
        }],
      ],
      "sources": [
        "src/addon.cc",
        "src/heap.cc",
        "src/nd.cc",
        "src/cpu.cc",
        "src/thread_pool.cc",
        "src/gemm.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/softmax.cc",
        "src/conv.cc",
        "src/optim.cc",
        "src/vec_kernels.cc",
      ],
    },
  ],
}
