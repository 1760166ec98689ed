# The Debian package (packaging/README.md): `cpack -G DEB` in the build directory, or
# scripts/package.sh, makes swarmcopy_VERSION_ARCH.deb of the project's install() rules with
# prefix /usr, the maintainer scripts and conffiles of packaging/deb/, and dependencies from
# dpkg-shlibdeps.

# `install` and CPack install what is built and build nothing themselves: the package needs
# three programs, not the tests and benchmarks (scripts/package.sh builds those three first).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(FILES README.md daemon/API.md DESTINATION share/doc/swarmcopy)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME swarmcopy)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "swarmcopy developers <swarmcopy@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "peer-assisted background downloads")
set(CPACK_PACKAGE_DESCRIPTION
    "swarmcopyd downloads files for local users and programs in the background, taking their\n\
pieces from other machines of the site (BitTorrent v2, every piece verified) as well as from\n\
the origin. Includes the swarmcopy command line tool and the apt transport methods\n\
swarmcopy+http and swarmcopy+https.")
# DESTDIR staging: the config file's destination is absolute (/etc/swarmcopy), which without it
# would be installed on the packaging machine itself.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# apt's methods need apt; deb-systemd-helper comes with init-system-helpers.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "apt, init-system-helpers")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
