# Flags every FuseLab target shares, in one interface target (as qBittorrent's CommonConfig).
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

# ccache when present. Precompiled headers need the sloppiness below to be cacheable.
find_program(FUSELAB_CCACHE ccache)
if(FUSELAB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}" "CCACHE_NOHASHDIR=1"
      ${FUSELAB_CCACHE})
endif()

# Sanitizer builds (docs/reliability.md): -DFUSELAB_SANITIZE=address,undefined (ASan + UBSan)
# or thread (TSan), for every target of the build. LibTorch, Qt and OpenCV stay uninstrumented:
# ASan and UBSan see FuseLab's own code; TSan needs tests/tsan.supp for LibTorch's pools.
set(FUSELAB_SANITIZE "" CACHE STRING "Sanitizers for every target: address,undefined | thread | empty for none")
if(FUSELAB_SANITIZE)
  add_compile_options(-fsanitize=${FUSELAB_SANITIZE} -fno-omit-frame-pointer)
  # -O1 with line tables only, as the sanitizers' authors recommend: the reports keep file
  # and line, and the LibTorch-heavy sources compile in far less time than at -O2 -g.
  set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -g1 -DNDEBUG" CACHE STRING "" FORCE)
  if(FUSELAB_SANITIZE MATCHES "undefined")
    # Every finding fails the test. vptr checks need RTTI of every polymorphic type, which the
    # uninstrumented libraries' inline code does not give reliably: off.
    add_compile_options(-fno-sanitize-recover=all -fno-sanitize=vptr)
  endif()
  add_link_options(-fsanitize=${FUSELAB_SANITIZE})
  add_compile_definitions(FUSELAB_SANITIZED=1)
endif()

add_library(fuselab_common INTERFACE)
target_compile_features(fuselab_common INTERFACE cxx_std_17)
target_compile_definitions(fuselab_common INTERFACE
  QT_NO_KEYWORDS                 # LibTorch has a method named slots()
  QT_NO_CAST_FROM_ASCII
  FUSELAB_VERSION="${PROJECT_VERSION}")
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(fuselab_common INTERFACE -Wall -Wextra)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # A precompiled header GCC cannot use (a macro that differs from the one it was built
  # with) is silently skipped, costing ~10 s per file: make that a build error instead.
  target_compile_options(fuselab_common INTERFACE -Werror=invalid-pch)
endif()
if(FUSELAB_WITH_INGEST)
  target_compile_definitions(fuselab_common INTERFACE FUSELAB_WITH_INGEST=1)
endif()
