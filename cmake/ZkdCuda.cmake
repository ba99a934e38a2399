# Detects nvcc, cuBLAS and cuDNN. Sets ZKD_WITH_CUDA (ON only when all three are usable) and,
# when ON, enables the CUDA language and defines the imported target zkd::cudnn.
# cuDNN is looked for under ZKD_CUDNN_ROOT, the CUDA toolkit, and CUDNN_ROOT in the environment
# (a GPU machine may have it only inside PyTorch's nvidia/cudnn Python package).
set(ZKD_WITH_CUDA OFF)
if(NOT ZKD_CUDA)
  message(STATUS "zkd: CUDA switched off (-DZKD_CUDA=OFF)")
  return()
endif()

include(CheckLanguage)
if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
  set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
endif()
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  message(WARNING "zkd: no CUDA compiler found; building the CPU backend only")
  return()
endif()
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES 90)   # H100 / H200; override with -DCMAKE_CUDA_ARCHITECTURES=...
endif()
enable_language(CUDA)
set(CMAKE_CUDA_STANDARD 17)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)
find_package(CUDAToolkit REQUIRED)

find_path(ZKD_CUDNN_INCLUDE cudnn.h
  HINTS ${ZKD_CUDNN_ROOT} $ENV{CUDNN_ROOT} ${CUDAToolkit_INCLUDE_DIRS} ${CUDAToolkit_LIBRARY_ROOT}
  PATH_SUFFIXES include)
find_library(ZKD_CUDNN_LIBRARY NAMES cudnn libcudnn.so.9
  HINTS ${ZKD_CUDNN_ROOT} $ENV{CUDNN_ROOT} ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT}
  PATH_SUFFIXES lib lib64)
if(NOT ZKD_CUDNN_INCLUDE OR NOT ZKD_CUDNN_LIBRARY OR NOT TARGET CUDA::cublas)
  message(WARNING "zkd: CUDA found but cuDNN (${ZKD_CUDNN_INCLUDE}, ${ZKD_CUDNN_LIBRARY}) or cuBLAS "
                  "missing; building the CPU backend only. Set ZKD_CUDNN_ROOT to cuDNN's folder.")
  return()
endif()
add_library(zkd_cudnn INTERFACE)
target_include_directories(zkd_cudnn INTERFACE ${ZKD_CUDNN_INCLUDE})
target_link_libraries(zkd_cudnn INTERFACE ${ZKD_CUDNN_LIBRARY})
add_library(zkd::cudnn ALIAS zkd_cudnn)
set(ZKD_WITH_CUDA ON)
message(STATUS "zkd: cuDNN ${ZKD_CUDNN_LIBRARY}; CUDA architectures ${CMAKE_CUDA_ARCHITECTURES}")
