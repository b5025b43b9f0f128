// The one translation unit scripts/build-kernels.sh compiles into the fatbin the server loads
// (one module, one cuModuleLoadData): every kernel of preprocess.cu and unproject.cu.
#include "preprocess.cu"
#include "unproject.cu"
