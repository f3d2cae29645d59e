// The kernels the addon exports, over raw memory. Each returns false when it does not handle the
// requested op/dtype combination, so that the caller can fall back to the TypeScript reference.
#pragma once
#include <cstdint>

#include "nd.h"

namespace ty {

enum DType : int { kF32 = 0, kF64 = 1, kI32 = 2, kU8 = 3 };

// Elementwise (elementwise.cc). `it` holds the operands in the order documented per kernel;
// offsets are element offsets into the matching base pointers.
bool unary(int op, int dtype, void* out, const void* x, NdIter& it, double s0, double s1);        // ops: out, x
bool binary(int op, int dtype, int out_dtype, void* out, const void* a, const void* b, NdIter& it, double s0);  // out, a, b
bool where(int dtype, void* out, const uint8_t* cond, const void* a, const void* b, NdIter& it);  // out, cond, a, b
bool copy(int dst_dtype, void* dst, int src_dtype, const void* src, NdIter& it);                 // dst, src
bool fill(int dtype, void* dst, NdIter& it, double value);                                       // dst

// Reductions (reduce.cc). `it` walks x (operand 1) with out (operand 0) strides 0 on reduced dims.
bool reduce(int op, int dtype, void* out, int64_t out_numel, const void* x, NdIter& it, int64_t reduced_count);
bool arg_reduce(bool is_max, int dtype, void* values, double* indices, const void* x, const int64_t* shape,
                const int64_t* strides, int64_t offset, int nd, int dim);

// Softmax family (softmax.cc), contiguous [outer, size, inner].
bool softmax(int dtype, void* out, const void* x, int64_t outer, int64_t size, int64_t inner, bool log);
bool softmax_backward(int dtype, void* grad_in, const void* grad_out, const void* y, int64_t outer, int64_t size,
                      int64_t inner, bool log);
// Cross-entropy over logits [n, c] and int64 targets (as doubles): per-sample losses into loss[n]
// (0 where target == ignore_index) and, when grad != nullptr, d(sum of losses)/d(logits) into grad
// (scaled by grad_scale, e.g. 1/n for mean reduction). Returns the number of non-ignored samples.
int64_t cross_entropy(int dtype, const void* logits, const double* target, int64_t n, int64_t c,
                      int64_t ignore_index, double label_smoothing, void* loss, void* grad, double grad_scale);

// Convolution and pooling (conv.cc), NCHW contiguous tensors.
struct Conv2dShape {
  int64_t n, c_in, h, w, c_out, kh, kw, sh, sw, ph, pw, dh, dw, groups, oh, ow;
};
bool conv2d_forward(int dtype, void* out, const void* x, const void* weight, const void* bias, const Conv2dShape& s);
bool conv2d_backward(int dtype, void* grad_x, void* grad_w, void* grad_b, const void* grad_out, const void* x,
                     const void* weight, const Conv2dShape& s);
// Batched im2col / col2im over [N, C, H, W] (c_in = C; c_out, groups unused): cols is
// [N, C * kh * kw, oh * ow]; im2col writes pad outside the input, col2im adds into out.
bool im2col_batch(int dtype, void* out, const void* x, const Conv2dShape& s, double pad);
bool col2im_batch(int dtype, void* out, const void* cols, const Conv2dShape& s);
struct Pool2dShape {
  int64_t n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow;
  bool count_include_pad;
};
bool max_pool2d_forward(int dtype, void* out, double* indices, const void* x, const Pool2dShape& s);
bool max_pool2d_backward(int dtype, void* grad_x, const void* grad_out, const double* indices, const Pool2dShape& s);
bool avg_pool2d_forward(int dtype, void* out, const void* x, const Pool2dShape& s);
bool avg_pool2d_backward(int dtype, void* grad_x, const void* grad_out, const Pool2dShape& s);

// Fused optimizer steps (optim.cc), over contiguous parameter/gradient/state arrays of length n.
struct SgdParams {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first_step;
};
bool sgd_step(int dtype, void* param, const void* grad, void* momentum_buf, int64_t n, const SgdParams& p);
struct AdamParams {
  double lr, beta1, beta2, eps, weight_decay;
  int64_t step;
  bool amsgrad, maximize, decoupled;  // decoupled weight decay = AdamW
};
bool adam_step(int dtype, void* param, const void* grad, void* exp_avg, void* exp_avg_sq, void* max_exp_avg_sq,
               int64_t n, const AdamParams& p);

}  // namespace ty
