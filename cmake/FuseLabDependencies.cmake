# Every dependency comes from a distribution package; nothing is downloaded.
find_package(Threads REQUIRED)
find_package(Torch REQUIRED)

# nlohmann-json: the Debian package ships a CMake config; on a bare GPU server point
# FUSELAB_JSON_INCLUDE_DIR at a folder holding nlohmann/json.hpp instead.
find_package(nlohmann_json 3.9 QUIET)
if(NOT nlohmann_json_FOUND)
  find_path(FUSELAB_JSON_INCLUDE_DIR nlohmann/json.hpp)
  if(NOT FUSELAB_JSON_INCLUDE_DIR)
    message(FATAL_ERROR "nlohmann-json not found: install nlohmann-json3-dev, "
                        "or pass -DFUSELAB_JSON_INCLUDE_DIR=<folder with nlohmann/json.hpp>")
  endif()
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${FUSELAB_JSON_INCLUDE_DIR}")
endif()

# Distributed training on LibTorch's c10d (docs/distributed.md): on where its headers and
# gloo's are found (Debian: libtorch-dev with libgloo-dev; LibTorch itself holds the
# process groups), off with a message otherwise. NCCL (CUDA ranks) where nccl.h is found
# and LibTorch has CUDA.
option(FUSELAB_WITH_DISTRIBUTED "Data-parallel training on PyTorch's c10d (Gloo; NCCL with CUDA)" ON)
set(FUSELAB_HAVE_C10D OFF)
set(FUSELAB_HAVE_NCCL OFF)
if(FUSELAB_WITH_DISTRIBUTED)
  find_path(FUSELAB_C10D_INCLUDE torch/csrc/distributed/c10d/ProcessGroupGloo.hpp HINTS ${TORCH_INCLUDE_DIRS})
  find_path(FUSELAB_GLOO_INCLUDE gloo/algorithm.h HINTS ${TORCH_INCLUDE_DIRS})
  find_path(FUSELAB_NCCL_INCLUDE nccl.h)
  if(FUSELAB_C10D_INCLUDE AND FUSELAB_NCCL_INCLUDE AND TARGET torch_cuda)
    set(FUSELAB_HAVE_NCCL ON)
  endif()
  set(FUSELAB_HAVE_GLOO OFF)
  if(FUSELAB_C10D_INCLUDE AND FUSELAB_GLOO_INCLUDE)
    set(FUSELAB_HAVE_GLOO ON)
  endif()
  if(FUSELAB_HAVE_GLOO OR FUSELAB_HAVE_NCCL)
    set(FUSELAB_HAVE_C10D ON)
    if(NOT FUSELAB_HAVE_GLOO)
      message(STATUS "FuseLab: distributed training on CUDA only (NCCL): gloo's headers were not found, so CPU ranks cannot train together")
    endif()
  else()
    message(STATUS "FuseLab: distributed training off: LibTorch's c10d headers with gloo's (libgloo-dev) or NCCL's were not found")
  endif()
endif()

if(FUSELAB_WITH_INGEST)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
  pkg_check_modules(SAMPLERATE REQUIRED IMPORTED_TARGET samplerate)
  pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
  pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
  # ICU: Unicode categories, case mapping and NFD for BERT's WordPiece tokenisation.
  pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)
  find_package(ZLIB REQUIRED)

  # OpenCV: Debian's per-module -dev packages (core, imgproc, imgcodecs) ship no CMake
  # config; the full libopencv-dev does. Accept either.
  find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs)
  if(OpenCV_FOUND)
    add_library(fuselab_opencv INTERFACE)
    target_include_directories(fuselab_opencv INTERFACE ${OpenCV_INCLUDE_DIRS})
    target_link_libraries(fuselab_opencv INTERFACE ${OpenCV_LIBS})
  else()
    find_path(FUSELAB_OPENCV_INCLUDE opencv2/imgcodecs.hpp PATH_SUFFIXES opencv4)
    foreach(m core imgproc imgcodecs)
      find_library(FUSELAB_OPENCV_${m} opencv_${m})
      if(NOT FUSELAB_OPENCV_${m})
        message(FATAL_ERROR "OpenCV module ${m} not found: install libopencv-${m}-dev")
      endif()
    endforeach()
    if(NOT FUSELAB_OPENCV_INCLUDE)
      message(FATAL_ERROR "OpenCV headers not found: install libopencv-imgcodecs-dev")
    endif()
    add_library(fuselab_opencv INTERFACE)
    target_include_directories(fuselab_opencv INTERFACE ${FUSELAB_OPENCV_INCLUDE})
    target_link_libraries(fuselab_opencv INTERFACE
      ${FUSELAB_OPENCV_imgcodecs} ${FUSELAB_OPENCV_imgproc} ${FUSELAB_OPENCV_core})
  endif()
endif()

if(FUSELAB_WITH_QT)
  find_package(Qt6 6.4 REQUIRED COMPONENTS Core Widgets PrintSupport Test LinguistTools)
  find_package(QCustomPlotQt6 REQUIRED)
  qt_standard_project_setup()
endif()
