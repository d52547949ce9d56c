# `cpack -G DEB` from a build directory: infercost_<version>_<arch>.deb with the binary
# (/usr/bin/infercost), the systemd unit (/usr/lib/systemd/system/infercost.service), the config
# as a conffile (/etc/infercost/config.yaml) and the dashboards and Prometheus rules under
# /usr/share/infercost/. The package-only files are in the component `deb`, left out of a plain
# `cmake --install` (which must not write to /etc); the binary is the component `runtime`.
# Packaging files live in deploy/debian/; tests/package/ builds the .deb and inspects it.
set(INFERCOST_DEB_DIR ${PROJECT_SOURCE_DIR}/deploy/debian)
# cpack (and `make install`) package what is built instead of building every target first: in a
# test build, "all" is every test binary, which the package does not contain.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(FILES ${INFERCOST_DEB_DIR}/infercost.service DESTINATION lib/systemd/system
        COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${INFERCOST_DEB_DIR}/config.yaml DESTINATION /etc/infercost
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ COMPONENT deb EXCLUDE_FROM_ALL)
# Globbed when the package is made, so rule files and dashboards added later are included.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/dashboards/ DESTINATION share/infercost/dashboards
        COMPONENT deb EXCLUDE_FROM_ALL FILES_MATCHING PATTERN "*.json")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/prometheus/rules/ DESTINATION share/infercost/rules
        COMPONENT deb EXCLUDE_FROM_ALL FILES_MATCHING PATTERN "*.yml")

# The conffiles list is written here so that its one path matches the install rule above.
file(WRITE ${PROJECT_BINARY_DIR}/debian/conffiles "/etc/infercost/config.yaml\n")

set(CPACK_PACKAGE_NAME infercost)
set(CPACK_PACKAGE_VENDOR infercost)
set(CPACK_PACKAGE_CONTACT "infercost developers <dev@infercost.local>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL https://github.com/infercost/infercost)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime deb)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Inference cost per 1M requests, measured\n Loads inference endpoints (EC2, Lambda, SageMaker or any HTTP server) and\n exports what each costs per million inferences as Prometheus metrics, with\n a systemd unit, Grafana dashboards and Prometheus rules.")
# Library dependencies from the binary's own links (dpkg-shlibdeps, in dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS ca-certificates)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/debian/conffiles ${INFERCOST_DEB_DIR}/postinst ${INFERCOST_DEB_DIR}/prerm
    ${INFERCOST_DEB_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
