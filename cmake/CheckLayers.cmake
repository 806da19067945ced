# The engine's layers link downward only. FUSELAB_LAYERS (core/CMakeLists.txt) lists each
# folder of core/ with the folders it links directly ("train:model,formats"); a folder may
# include the headers of those and of everything below them, never one above or beside it.
#
# Used two ways: included by core/CMakeLists.txt (the configure fails), and as a script by
# the `layers` test, so an include added after the last configure is caught too:
#   cmake -DFUSELAB_SOURCE_DIR=<repo> "-DFUSELAB_LAYERS=util:|data:util|..." -P CheckLayers.cmake

function(fuselab_check_layers source_dir layers)
  # Direct links per folder.
  set(names "")
  foreach(layer IN LISTS layers)
    string(FIND "${layer}" ":" colon)
    string(SUBSTRING "${layer}" 0 ${colon} name)
    math(EXPR from "${colon} + 1")
    string(SUBSTRING "${layer}" ${from} -1 below)
    string(REPLACE "," ";" below "${below}")
    list(APPEND names ${name})
    set(direct_${name} ${below})
  endforeach()
  # Everything each folder may use: the transitive closure of its links (the table lists
  # a folder after everything it uses, so one pass in order is enough; checked).
  foreach(name IN LISTS names)
    set(allowed "")
    foreach(dep IN LISTS direct_${name})
      list(FIND names ${dep} at)
      if(at EQUAL -1)
        message(FATAL_ERROR "FUSELAB_LAYERS: ${name} links ${dep}, which is not a layer")
      endif()
      if(NOT DEFINED allowed_${dep})
        message(FATAL_ERROR "FUSELAB_LAYERS: ${name} links ${dep}, listed after it (a layer lists what is below it)")
      endif()
      list(APPEND allowed ${dep} ${allowed_${dep}})
    endforeach()
    list(REMOVE_DUPLICATES allowed)
    set(allowed_${name} "${allowed}")
  endforeach()
  # Every file in core/ against its folder's row.
  set(problems "")
  file(GLOB_RECURSE files RELATIVE "${source_dir}/core" "${source_dir}/core/*.h" "${source_dir}/core/*.cpp")
  foreach(file IN LISTS files)
    string(REGEX MATCH "^[^/]+" folder "${file}")
    if(folder STREQUAL file) # core/CMakeLists-level files: none hold code
      continue()
    endif()
    list(FIND names ${folder} known)
    if(known EQUAL -1)
      list(APPEND problems "core/${file}: folder core/${folder} is not in FUSELAB_LAYERS")
      continue()
    endif()
    file(STRINGS "${source_dir}/core/${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"core/[^/\"]+/")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"core/([^/\"]+)/.*$" "\\1" used "${line}")
      if(used STREQUAL folder)
        continue()
      endif()
      list(FIND allowed_${folder} ${used} ok)
      if(ok EQUAL -1)
        string(STRIP "${line}" line)
        list(JOIN allowed_${folder} ", " may)
        list(APPEND problems "core/${file}: ${line}: core/${folder} may use only: ${may}")
      endif()
    endforeach()
  endforeach()
  if(problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "A layer includes one above or beside it (core/CMakeLists.txt, FUSELAB_LAYERS):\n  ${text}")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND DEFINED FUSELAB_LAYERS)
  string(REPLACE "|" ";" FUSELAB_LAYERS "${FUSELAB_LAYERS}") # the test passes the list with | between rows
  fuselab_check_layers("${FUSELAB_SOURCE_DIR}" "${FUSELAB_LAYERS}")
  list(LENGTH FUSELAB_LAYERS n)
  message(STATUS "layers: ${n} folders of core/, every include points downward")
endif()
