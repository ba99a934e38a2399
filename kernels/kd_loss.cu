// The fused distillation-loss kernel (see kd_loss.h and docs/zscore-kd.md, "Kernel").
// One block per row; the block strides over the K classes, so any K >= 2 works. Each pass reads
// the row again from global memory (L1/L2 hits; the row is a few KB at most) instead of keeping
// it in shared memory, so K is unbounded. Per row:
//   pass 1: sums (LS) and maxima of the raw student / teacher logits (all classes, and all but
//           the target for DKD); the maxima of the standardized logits follow, since the
//           standardization is monotone;
//   pass 2: (LS) sums of squared deviations -> unbiased std s, d = s + 1e-7 (two-pass variance);
//   pass 3: max-subtracted exp sums: CE on raw z, softmaxes of zh / T and vh / T (DKD: also over
//           the non-target classes);
//   pass 4: the KD term per class (KL, or DKD's NCKD) and G = d term / d zh, stored into dlogits;
//           reductions of sum G and G . zh (and, for a learned T, the sums of d KL / d(1/T));
//   pass 5: dlogits = [(G - mean G) / d - zh (G . zh) / ((K - 1) s) (LS) or G] + lambda_ce *
//           (softmax(z) - onehot), all / B.
// Block reductions are butterfly warp shuffles then a fixed-order sum over the warps: the result
// is deterministic. A second kernel sums the per-row terms over the batch in double, in a fixed
// order, and divides by the actual B.
#include <cmath>

#include "kernels/kd_loss.h"

namespace zkd::kernels {

namespace {
constexpr int kMaxThreads = 256;
constexpr int kMaxWarps = kMaxThreads / 32;
constexpr int kMaxSlots = 6;           // values reduced together
constexpr float kMaskShift = 1000.0f;  // DKD: logits / T - 1000 * gt_mask

struct SumOp {
  __device__ float operator()(float a, float b) const { return a + b; }
};
struct MaxOp {
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

// Reduces v[0..N) over the block; every thread gets the results. blockDim.x is a multiple of 32
// and at most kMaxThreads; every thread of the block calls this.
template <int N, typename Op>
__device__ void block_reduce(float (&v)[N], Op op, float (*smem)[kMaxWarps]) {
  static_assert(N <= kMaxSlots, "too many values in one block reduction");
#pragma unroll
  for (int i = 0; i < N; ++i)
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v[i] = op(v[i], __shfl_xor_sync(0xffffffffu, v[i], o));
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, nwarps = blockDim.x >> 5;
  if (lane == 0)
#pragma unroll
    for (int i = 0; i < N; ++i) smem[i][warp] = v[i];
  __syncthreads();
#pragma unroll
  for (int i = 0; i < N; ++i) {
    float r = smem[i][0];
    for (int w = 1; w < nwarps; ++w) r = op(r, smem[i][w]);
    v[i] = r;
  }
  __syncthreads();  // smem may be reused at once
}

// p (log p - log q) with kl_div's 0 * log 0 = 0.
__device__ __forceinline__ float kl_term(float logp, float logq) {
  const float p = expf(logp);
  return p > 0.0f ? p * (logp - logq) : 0.0f;
}

// student, teacher [B, K]; labels [B]; row_terms [B, 3]; dlogits [B, K]. One block per row.
template <bool LS, bool DKD>
__global__ void __launch_bounds__(kMaxThreads)
    kd_loss_fwd_kernel(const float* __restrict__ student, const float* __restrict__ teacher,
                       const int64_t* __restrict__ labels, int K, float batch, KdKernelArgs a,
                       float* __restrict__ row_terms, float* __restrict__ dlogits) {
  __shared__ float smem[kMaxSlots][kMaxWarps];
  const int64_t row = blockIdx.x;
  const float* z = student + row * K;
  const float* v = teacher + row * K;
  float* dz = dlogits + row * K;
  const int64_t label = labels[row];
  if (label < 0 || label >= K) {  // uniform over the block: all threads leave together
    for (int k = threadIdx.x; k < K; k += blockDim.x) dz[k] = NAN;
    if (threadIdx.x == 0)
      row_terms[3 * row] = row_terms[3 * row + 1] = row_terms[3 * row + 2] = NAN;
    return;
  }
  const int g = static_cast<int>(label);
  const bool learned = a.temperature_ptr != nullptr;  // uniform over the grid
  const float T = learned ? *a.temperature_ptr : a.temperature, Kf = static_cast<float>(K);

  // Pass 1: sums and maxima of the raw logits (all classes / all but the target).
  float sums[2] = {0.0f, 0.0f};
  float maxs[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
  for (int k = threadIdx.x; k < K; k += blockDim.x) {
    const float zk = z[k], vk = v[k];
    if (LS) {
      sums[0] += zk;
      sums[1] += vk;
    }
    maxs[0] = fmaxf(maxs[0], zk);
    maxs[1] = fmaxf(maxs[1], vk);
    if (DKD && k != g) {
      maxs[2] = fmaxf(maxs[2], zk);
      maxs[3] = fmaxf(maxs[3], vk);
    }
  }
  if (LS) block_reduce(sums, SumOp{}, smem);
  block_reduce(maxs, MaxOp{}, smem);

  // Pass 2 (LS): two-pass unbiased variance.
  float mu_z = 0.0f, mu_v = 0.0f, s_z = 1.0f, d_z = 1.0f, d_v = 1.0f;
  if (LS) {
    mu_z = sums[0] / Kf;
    mu_v = sums[1] / Kf;
    float ss[2] = {0.0f, 0.0f};
    for (int k = threadIdx.x; k < K; k += blockDim.x) {
      const float dz_ = z[k] - mu_z, dv_ = v[k] - mu_v;
      ss[0] += dz_ * dz_;
      ss[1] += dv_ * dv_;
    }
    block_reduce(ss, SumOp{}, smem);
    s_z = sqrtf(ss[0] / (Kf - 1.0f));
    d_z = s_z + a.std_eps;
    d_v = sqrtf(ss[1] / (Kf - 1.0f)) + a.std_eps;
  }
  // a = zh / T, b = vh / T, exactly as normalize(x) / T rounds them; monotone in x.
  auto std_z = [&](float x) { return LS ? (x - mu_z) / d_z : x; };
  auto to_a = [&](float x) { return std_z(x) / T; };
  auto to_b = [&](float x) { return (LS ? (x - mu_v) / d_v : x) / T; };
  const float zmax = maxs[0], ma = to_a(maxs[0]), mb = to_b(maxs[1]);
  const float ma_o = DKD ? to_a(maxs[2]) : 0.0f, mb_o = DKD ? to_b(maxs[3]) : 0.0f;

  // Pass 3: max-subtracted exp sums.
  float es[5] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f};  // CE, a, b, a non-target, b non-target
  for (int k = threadIdx.x; k < K; k += blockDim.x) {
    const float zk = z[k], ak = to_a(zk), bk = to_b(v[k]);
    es[0] += expf(zk - zmax);
    es[1] += expf(ak - ma);
    es[2] += expf(bk - mb);
    if (DKD && k != g) {
      es[3] += expf(ak - ma_o);
      es[4] += expf(bk - mb_o);
    }
  }
  block_reduce(es, SumOp{}, smem);  // (the DKD slots stay 0 for KD)
  const float log_ce = logf(es[0]), log_sa = logf(es[1]), log_sb = logf(es[2]);

  // DKD scalars: TCKD on [target, rest] and the -1000-masked softmaxes' normalizers.
  float tckd = 0.0f, pg = 0.0f, po = 0.0f, log_sa_o = 0.0f;
  float ag2 = 0.0f, bg2 = 0.0f, m2a = 0.0f, m2b = 0.0f, l2a = 0.0f, l2b = 0.0f;
  if (DKD) {
    log_sa_o = logf(es[3]);
    const float log_sb_o = logf(es[4]);
    const float ag = to_a(z[g]), bg = to_b(v[g]);
    const float lqg = (ag - ma) - log_sa, lqo = (ma_o - ma) + log_sa_o - log_sa;
    const float lpg = (bg - mb) - log_sb, lpo = (mb_o - mb) + log_sb_o - log_sb;
    tckd = kl_term(lpg, lqg) + kl_term(lpo, lqo);
    pg = expf(lpg);
    po = expf(lpo);
    ag2 = ag - kMaskShift;
    bg2 = bg - kMaskShift;
    m2a = fmaxf(ma_o, ag2);
    m2b = fmaxf(mb_o, bg2);
    l2a = logf(expf(ma_o - m2a) * es[3] + expf(ag2 - m2a));  // log sum exp(a2 - m2a)
    l2b = logf(expf(mb_o - m2b) * es[4] + expf(bg2 - m2b));
  }

  // Pass 4: the KD term per class and G = d (weighted term) / d zh, kept in dlogits.
  const float gscale = DKD ? a.warmup * T : a.lambda_kd * T;
  // KL or NCKD, sum G, G . zh; learned T: sum zh (q - p), sum vh p (lp - lq), sum vh p.
  float acc[6] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  for (int k = threadIdx.x; k < K; k += blockDim.x) {
    const float zk = z[k], ak = to_a(zk), bk = to_b(v[k]);
    const float lq = (ak - ma) - log_sa;
    float G;
    if (!DKD) {
      const float lp = (bk - mb) - log_sb;
      const float p = expf(lp), q = expf(lq);
      acc[0] += kl_term(lp, lq);
      G = gscale * (q - p);
      if (learned) {
        const float vh = LS ? (v[k] - mu_v) / d_v : v[k];
        acc[3] += std_z(zk) * (q - p);
        if (p > 0.0f) {
          acc[4] += vh * p * (lp - lq);
          acc[5] += vh * p;
        }
      }
    } else {
      const float a2 = k == g ? ag2 : ak, b2 = k == g ? bg2 : bk;
      const float lq2 = (a2 - m2a) - l2a, lp2 = (b2 - m2b) - l2b;
      acc[0] += kl_term(lp2, lq2);
      const float gt = expf(lq) - (k == g ? pg : po * expf((ak - ma_o) - log_sa_o));
      const float gn = expf(lq2) - expf(lp2);
      G = gscale * (a.alpha * gt + a.beta * gn);
    }
    if (LS) {
      acc[1] += G;
      acc[2] += G * std_z(zk);
    }
    dz[k] = G;
  }
  block_reduce(acc, SumOp{}, smem);  // (the LS and learned-T slots stay 0 without them)

  // Pass 5: back through the standardization, plus the CE gradient, / B.
  const float gmean = acc[1] / Kf;
  const float proj = LS && s_z > 0.0f ? acc[2] / ((Kf - 1.0f) * s_z) : 0.0f;
  for (int k = threadIdx.x; k < K; k += blockDim.x) {
    const float zk = z[k], G = dz[k];
    const float gkd = LS ? (G - gmean) / d_z - std_z(zk) * proj : G;
    const float p = expf((zk - zmax) - log_ce);
    dz[k] = (gkd + a.lambda_ce * (k == g ? p - 1.0f : p)) / batch;
  }
  if (threadIdx.x == 0) {
    row_terms[3 * row] = log_ce - (z[g] - zmax);  // -log softmax(z)[g]
    row_terms[3 * row + 1] =
        DKD ? a.warmup * (a.alpha * tckd + a.beta * acc[0]) * T * T : a.lambda_kd * acc[0] * T * T;
    // d (lam T^2 KL) / dT = lam (2 T KL - dKL/dx), dKL/dx = sum zh (q - p) + sum vh p (lp - lq -
    // KL).
    const float dkl_dx = acc[3] + acc[4] - acc[0] * acc[5];
    row_terms[3 * row + 2] = learned && !DKD ? a.lambda_kd * (2.0f * T * acc[0] - dkl_dx) : 0.0f;
  }
}

// row_terms [B, 3] -> loss [1], parts [2], dtemp [1] (if not null): fixed-order sums in double,
// / B. One block.
constexpr int kReduceThreads = 256;
__global__ void __launch_bounds__(kReduceThreads)
    kd_loss_reduce_fwd_kernel(const float* __restrict__ row_terms, int64_t B, float lambda_ce,
                              float* __restrict__ loss, float* __restrict__ parts,
                              float* __restrict__ dtemp) {
  __shared__ double s[3][kReduceThreads];
  double ce = 0, kd = 0, dt = 0;
  for (int64_t i = threadIdx.x; i < B; i += kReduceThreads) {
    ce += row_terms[3 * i];
    kd += row_terms[3 * i + 1];
    dt += row_terms[3 * i + 2];
  }
  s[0][threadIdx.x] = ce;
  s[1][threadIdx.x] = kd;
  s[2][threadIdx.x] = dt;
  __syncthreads();
  for (int w = kReduceThreads / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) {
      s[0][threadIdx.x] += s[0][threadIdx.x + w];
      s[1][threadIdx.x] += s[1][threadIdx.x + w];
      s[2][threadIdx.x] += s[2][threadIdx.x + w];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    const double ce_part = static_cast<double>(lambda_ce) * s[0][0] / static_cast<double>(B);
    const double kd_part = s[1][0] / static_cast<double>(B);
    parts[0] = static_cast<float>(ce_part);
    parts[1] = static_cast<float>(kd_part);
    loss[0] = static_cast<float>(ce_part + kd_part);
    if (dtemp) dtemp[0] = static_cast<float>(s[2][0] / static_cast<double>(B));
  }
}

template <bool LS, bool DKD>
void launch_rows(const float* student, const float* teacher, const int64_t* labels, int64_t B,
                 int64_t K, const KdKernelArgs& a, float* row_terms, float* dlogits,
                 cudaStream_t stream) {
  const int threads = static_cast<int>(K >= kMaxThreads ? kMaxThreads : (K + 31) / 32 * 32);
  kd_loss_fwd_kernel<LS, DKD><<<static_cast<unsigned>(B), threads, 0, stream>>>(
      student, teacher, labels, static_cast<int>(K), static_cast<float>(B), a, row_terms, dlogits);
}
}  // namespace

void kd_loss_fwd(const float* student, const float* teacher, const int64_t* labels, int64_t B,
                 int64_t K, const KdKernelArgs& a, float* row_terms, float* dlogits, float* loss,
                 float* parts, float* dtemp, cudaStream_t stream) {
  switch (a.method) {
    case KdKernelMethod::KD:
      launch_rows<false, false>(student, teacher, labels, B, K, a, row_terms, dlogits, stream);
      break;
    case KdKernelMethod::KD_LS:
      launch_rows<true, false>(student, teacher, labels, B, K, a, row_terms, dlogits, stream);
      break;
    case KdKernelMethod::DKD:
      launch_rows<false, true>(student, teacher, labels, B, K, a, row_terms, dlogits, stream);
      break;
    case KdKernelMethod::DKD_LS:
      launch_rows<true, true>(student, teacher, labels, B, K, a, row_terms, dlogits, stream);
      break;
  }
  kd_loss_reduce_fwd_kernel<<<1, kReduceThreads, 0, stream>>>(row_terms, B, a.lambda_ce, loss,
                                                              parts, dtemp);
}

}  // namespace zkd::kernels
