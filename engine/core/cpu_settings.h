// Settings of the CPU backend, read by every CPU op (public: the apps set the threads): how many
// threads it uses and whether fp32 ops run on oneDNN (the default) or on the reference loops +
// BLAS (ZKD_CPU_REFERENCE=1 or set_cpu_reference(true); float64 always runs on the reference) and
// how bf16 runs. See docs/cpu-backend.md and docs/precision.md.
#pragma once

namespace zkd {

// One thread count for the whole CPU backend: oneDNN and our own loops (one OpenMP pool) and
// OpenBLAS (its own pool, never called from inside an OpenMP region). n >= 1.
void set_cpu_threads(int n);
int cpu_threads();  // the current count (default: the machine's cores)
int cpu_cores();    // the machine's cores (std::thread::hardware_concurrency, >= 1)

// true: fp32 CPU ops run on the reference path (im2col + BLAS, plain loops) instead of oneDNN.
// The initial value is the environment variable ZKD_CPU_REFERENCE (1 = on).
void set_cpu_reference(bool on);
bool cpu_reference();

// bf16 convs and GEMMs (engine/core/precision.h) run on oneDNN's bf16 kernels when the CPU has
// AVX512-BF16 (cpu_has_bf16), and emulated otherwise: operands rounded to bf16, float32
// arithmetic (the same numbers up to summation order, no speed-up; one line on stderr says so).
// set_cpu_bf16_emulated(true) forces the emulation (tests compare the two); its initial value is
// the environment variable ZKD_CPU_BF16_EMULATE (1 = on). The reference switch implies it.
bool cpu_has_bf16();
void set_cpu_bf16_emulated(bool on);
bool cpu_bf16_emulated();

}  // namespace zkd
