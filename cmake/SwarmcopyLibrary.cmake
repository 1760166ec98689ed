# swarmcopy_library(NAME SRCS ... [DEPS ...] [PRIVATE_DEPS ...])
# Makes the target swarmcopy_NAME with alias swarmcopy::NAME; public headers live in
# NAME/include/swarmcopy/NAME/, private code beside them in NAME/src/.
function(swarmcopy_library NAME)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(swarmcopy_${NAME} STATIC ${ARG_SRCS})
  add_library(swarmcopy::${NAME} ALIAS swarmcopy_${NAME})
  target_include_directories(swarmcopy_${NAME}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(swarmcopy_${NAME} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_options(swarmcopy_${NAME} PRIVATE ${SWARMCOPY_WARNINGS})
endfunction()

# swarmcopy_test(name SRCS ... DEPS ... LABELS ... [TIMEOUT s] [PROPERTIES name value ...]) —
# one GoogleTest executable, its tests registered one by one with ctest so that -L unit /
# -L integration select them; PROPERTIES are more ctest properties of each (RUN_SERIAL ON,
# RESOURCE_LOCK name). The name may also be given as `NAME name`.
function(swarmcopy_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS;PROPERTIES" ${ARGN})
  if(ARG_NAME)
    set(NAME ${ARG_NAME})
  else()
    list(GET ARG_UNPARSED_ARGUMENTS 0 NAME)
  endif()
  add_executable(${NAME} ${ARG_SRCS})
  target_link_libraries(${NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_options(${NAME} PRIVATE ${SWARMCOPY_WARNINGS})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  gtest_discover_tests(${NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
                       ${ARG_PROPERTIES} DISCOVERY_TIMEOUT 30)
endfunction()
