# Installs the build tree into a fresh prefix, then configures, builds and runs consumer/ against
# it. Run by CTest (tests/install/CMakeLists.txt) with -D BUILD_DIR, WORK_DIR, CONSUMER_DIR,
# CXX_COMPILER, CXX_LAUNCHER and SANITIZER_FLAGS (the build's -fsanitize flags, or empty).
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(step what)
  message(STATUS "install test: ${what}")
  execute_process(COMMAND ${ARGN} TIMEOUT 240 RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "install test: ${what} failed (${result})")
  endif()
endfunction()

step("cmake --install into ${prefix}" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(file lib/cmake/infercost/infercost-config.cmake
             lib/cmake/infercost/infercost-config-version.cmake
             include/infercost/cost/cost.h include/infercost/common/build_info.h
             include/infercost/loadgen/engine.h)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "install test: ${prefix}/${file} was not installed")
  endif()
endforeach()
step("configure the consumer" ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build
     -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=RelWithDebInfo
     -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_LAUNCHER}
     "-DCMAKE_CXX_FLAGS=${SANITIZER_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${SANITIZER_FLAGS}")
step("build the consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 1)
step("run the consumer" ${WORK_DIR}/build/consumer)
