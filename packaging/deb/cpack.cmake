# CPack DEB: two packages from the install components.
#   productgraphd         = daemon + plugins (the service, ready for apt install)
#   productgraph-sdk-dev  = sdk (headers, plugin-check, CMake package, pkg-config file, docs)
# `cpack -G DEB` in a build tree configured with CMAKE_INSTALL_PREFIX=/usr writes both;
# packaging/deb/build.sh does that from a clean checkout.
set(PG_DEB_DIR ${CMAKE_CURRENT_LIST_DIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME productgraph)
set(CPACK_PACKAGE_VENDOR ProductGraph)
set(CPACK_PACKAGE_CONTACT "ProductGraph maintainers <maintainers@productgraph.example>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# DESTDIR staging, so the unit's and env file's /etc and /lib paths (absolute, chosen
# at install time) land inside the package.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL daemon plugins sdk)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_COMPONENT_DAEMON_GROUP service)
set(CPACK_COMPONENT_PLUGINS_GROUP service)
set(CPACK_COMPONENT_SDK_GROUP sdkdev)

set(CPACK_DEBIAN_PACKAGE_RELEASE ${PG_DEB_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(CPACK_DEBIAN_SERVICE_PACKAGE_NAME productgraphd)
set(CPACK_DEBIAN_SERVICE_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVICE_PACKAGE_SHLIBDEPS ON)
# HTTPS to the providers needs the CA bundle; useradd comes from passwd.
set(CPACK_DEBIAN_SERVICE_PACKAGE_DEPENDS "passwd, ca-certificates")
# The first line is the synopsis; CPack indents the rest.
set(CPACK_DEBIAN_SERVICE_DESCRIPTION "product-analytics event router with publisher plugins
productgraphd accepts analytics events over HTTP, validates them, keeps them
in a durable on-disk queue and forwards them to publisher plugins: Amplitude,
Mixpanel and an in-memory store are included. It runs as a hardened systemd
service configured from /etc/productgraph/productgraphd.env.")
set(CPACK_DEBIAN_SERVICE_PACKAGE_CONTROL_EXTRA
  ${PG_DEB_DIR}/conffiles ${PG_DEB_DIR}/postinst ${PG_DEB_DIR}/prerm ${PG_DEB_DIR}/postrm)

set(CPACK_DEBIAN_SDKDEV_PACKAGE_NAME productgraph-sdk-dev)
set(CPACK_DEBIAN_SDKDEV_PACKAGE_SECTION libdevel)
# productgraph-plugin-check is an executable: its libc dependency comes from shlibdeps.
set(CPACK_DEBIAN_SDKDEV_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_SDKDEV_DESCRIPTION "SDK for productgraphd publisher plugins
The C ABI header, optional C and C++ helpers, a fake host for unit tests,
productgraph-plugin-check (a conformance checker), a CMake package
(find_package(productgraph-sdk)), a pkg-config file, documentation and
example plugins for building publisher plugins that productgraphd loads.")

include(CPack)
