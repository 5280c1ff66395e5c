# Helpers shared by every module: one library target per module, one helper to add tests.

# Flags for every squall target. -ffp-contract=off keeps floating point identical under g++ and clang.
function(squall_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
                                           -ffp-contract=off)
  # GCC 12 reports false -Wrestrict/-Wstringop-overflow positives inside libstdc++'s std::string at -O3.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-stringop-overflow)
  endif()
  if(SQUALL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# squall_module(<name> SOURCES ... DEPS ...) defines squall_<name> with the alias squall::<name>.
# Headers are included by their path from the repository root: #include "stack/resilience/breaker.hpp".
function(squall_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(ARG_SOURCES)
    add_library(squall_${name} STATIC ${ARG_SOURCES})
    target_include_directories(squall_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(squall_${name} PUBLIC ${ARG_DEPS})
    squall_target_options(squall_${name})
  else()
    add_library(squall_${name} INTERFACE)
    target_include_directories(squall_${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(squall_${name} INTERFACE ${ARG_DEPS})
  endif()
  add_library(squall::${name} ALIAS squall_${name})
endfunction()

# squall_test(<name> [NEEDS_CLI] SOURCES ... DEPS ...) builds one Catch2 test program and registers its cases with CTest.
# `--warn NoTests` makes a CTest entry fail when its name matches no test case: a test name CMake's list syntax
# mangles (';' or an unbalanced '[' in it) then fails loudly instead of silently running nothing.
function(squall_test name)
  cmake_parse_arguments(ARG "NEEDS_CLI" "" "SOURCES;DEPS" ${ARGN})
  add_executable(test_${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/catch_main.cpp)
  target_link_libraries(test_${name} PRIVATE Catch2::Catch2 ${ARG_DEPS})
  target_include_directories(test_${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(test_${name} PRIVATE SQUALL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  squall_target_options(test_${name})
  if(ARG_NEEDS_CLI)
    # End-to-end tests run the squall binary; only they depend on it being built.
    add_dependencies(test_${name} squall)
    catch_discover_tests(test_${name} TEST_PREFIX "${name}: " EXTRA_ARGS --warn NoTests
                         PROPERTIES ENVIRONMENT "SQUALL_BIN=$<TARGET_FILE:squall>")
  else()
    catch_discover_tests(test_${name} TEST_PREFIX "${name}: " EXTRA_ARGS --warn NoTests)
  endif()
endfunction()
