# `cmake --install` rules: the infercost binary, and the engine and the cost model as a CMake
# package, so another project can
#   find_package(infercost CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE infercost::cost infercost::loadgen)
# and include "cost/cost.h" and "loadgen/engine.h" as the code here does. Headers go under
# include/infercost/ (the libraries' INSTALL_INTERFACE), static libraries under lib/, the
# package files under lib/cmake/infercost/. tests/install/ installs into a temp prefix and builds
# a consumer against it.
include(CMakePackageConfigHelpers)

set(INFERCOST_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/infercost)
set(INFERCOST_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/infercost)

install(TARGETS infercost RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

set_target_properties(infercost_common PROPERTIES EXPORT_NAME common)
set_target_properties(infercost_cost PROPERTIES EXPORT_NAME cost)
set_target_properties(infercost_loadgen PROPERTIES EXPORT_NAME loadgen)
install(TARGETS infercost_common infercost_cost infercost_loadgen EXPORT infercost-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

foreach(module common cost)
  file(GLOB headers ${PROJECT_SOURCE_DIR}/exporter/${module}/*.h)
  install(FILES ${headers} DESTINATION ${INFERCOST_INSTALL_INCLUDEDIR}/${module})
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/exporter/generated/common/build_info.h
        DESTINATION ${INFERCOST_INSTALL_INCLUDEDIR}/common)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/loadgen/include/loadgen
        DESTINATION ${INFERCOST_INSTALL_INCLUDEDIR})

install(EXPORT infercost-targets NAMESPACE infercost:: DESTINATION ${INFERCOST_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/infercost-config.cmake.in
                              ${PROJECT_BINARY_DIR}/infercost-config.cmake
                              INSTALL_DESTINATION ${INFERCOST_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/infercost-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/infercost-config.cmake
              ${PROJECT_BINARY_DIR}/infercost-config-version.cmake
        DESTINATION ${INFERCOST_INSTALL_CMAKEDIR})
