# One static library per layer (DESIGN.md). A layer sees only the headers of
# the layers it names: its include root is a generated folder holding links to
# exactly those layers' source folders, so `#include "template/x.h"` from
# model/ does not resolve and the build fails. Sources are globbed per folder.
set(VPCLAB_SRC ${PROJECT_SOURCE_DIR}/src)

# vpclab_layer(NAME DIRS d1 d2 SEES l1 l2 LIBS ...)
#   DIRS: folders under src/ whose *.cpp make the library
#   SEES: top-level src/ folders whose headers this layer may include (itself included)
function(vpclab_layer name)
  cmake_parse_arguments(L "" "" "DIRS;SEES;LIBS;DEPS" ${ARGN})
  set(srcs)
  foreach(d ${L_DIRS})
    file(GLOB s CONFIGURE_DEPENDS ${VPCLAB_SRC}/${d}/*.cpp)
    list(APPEND srcs ${s})
  endforeach()
  set(inc ${CMAKE_BINARY_DIR}/include/${name})
  file(MAKE_DIRECTORY ${inc})
  foreach(s ${L_SEES})
    file(CREATE_LINK ${VPCLAB_SRC}/${s} ${inc}/${s} SYMBOLIC)
  endforeach()
  if(srcs)
    add_library(vpclab_${name} STATIC ${srcs})
    target_include_directories(vpclab_${name} PUBLIC ${inc})
    target_link_libraries(vpclab_${name} PUBLIC ${L_DEPS} ${L_LIBS})
  else()
    add_library(vpclab_${name} INTERFACE)
    target_include_directories(vpclab_${name} INTERFACE ${inc})
    target_link_libraries(vpclab_${name} INTERFACE ${L_DEPS} ${L_LIBS})
  endif()
endfunction()

# Tests of a layer: every tests/<dir>/*.cpp into one gtest binary, each test a
# ctest entry. LABELS lets namespace-needing suites be selected (ctest -L netns).
function(vpclab_tests name)
  cmake_parse_arguments(T "NEEDS_TOOL" "" "DIRS;DEPS;LABELS" ${ARGN})
  set(srcs)
  foreach(d ${T_DIRS})
    file(GLOB s CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${d}/*.cpp)
    list(APPEND srcs ${s})
  endforeach()
  if(NOT srcs)
    return()
  endif()
  add_executable(test_${name} ${srcs})
  target_link_libraries(test_${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(test_${name} PRIVATE
    VPCLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    VPCLAB_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    VPCLAB_BINARY="${CMAKE_BINARY_DIR}/vpclab")
  # Suites that run the tool itself wait for it; the others build alone so one
  # layer's tests do not need every layer to compile.
  if(T_NEEDS_TOOL)
    add_dependencies(test_${name} vpclab)
  endif()
  gtest_discover_tests(test_${name} DISCOVERY_MODE PRE_TEST
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES LABELS "${name};${T_LABELS}" TIMEOUT 300)
endfunction()
