# What `cmake --install build --prefix PREFIX` installs, and the Debian
# package `cpack -G DEB` (run in the build folder) makes of it:
#   bin/hmmsim, bin/hmmsim-native
#   LIBDIR/libhmmsim_{core,native,model,lab,scenario,litmus}.a
#   include/hmmsim/*.h (the public API, version.h included)
#   LIBDIR/pkgconfig/hmmsim.pc (the engine), hmmsim-native.pc (real threads)
#   LIBDIR/cmake/hmmsim/: find_package(hmmsim), targets hmmsim::engine,
#     hmmsim::native, hmmsim::model, hmmsim::lab, hmmsim::scenario,
#     hmmsim::litmus
#   share/man/man1/hmmsim.1, share/bash-completion/completions/hmmsim
#   share/doc/hmmsim/: the documentation, examples/out-of-tree-driver and
#     copyright (the licence, in Debian's machine-readable format)
# LIBDIR is CMAKE_INSTALL_LIBDIR: lib/<multiarch triplet> on Debian and its
# derivatives (lib/x86_64-linux-gnu; the top-level CMakeLists.txt), else lib.
# Included by the top-level CMakeLists.txt after the targets are defined.
include(CMakePackageConfigHelpers)

set(HMMSIM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/hmmsim)
set(HMMSIM_INSTALL_LIBS hmmsim_core hmmsim_native hmmsim_litmus hmmsim_model hmmsim_lab
  hmmsim_scenario)

install(TARGETS hmmsim hmmsim-native RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${HMMSIM_INSTALL_LIBS} EXPORT hmmsimTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/hmmsim DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/include/hmmsim/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hmmsim)

# The CMake package: relocatable, the targets file finds its own prefix.
install(EXPORT hmmsimTargets NAMESPACE hmmsim:: DESTINATION ${HMMSIM_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/hmmsimConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/hmmsimConfig.cmake INSTALL_DESTINATION ${HMMSIM_INSTALL_CMAKEDIR})
# 0.x: a minor release may change the API
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/hmmsimConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/hmmsimConfig.cmake
  ${CMAKE_BINARY_DIR}/cmake/hmmsimConfigVersion.cmake DESTINATION ${HMMSIM_INSTALL_CMAKEDIR})

# pkg-config: relocatable too (prefix from the .pc file's own folder), so
# the files are right wherever --prefix or the package puts them.
set(HMMSIM_PC_PREFIX "\${pcfiledir}")
string(REGEX MATCHALL "[^/]+" _hmmsim_libdir_parts "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
foreach(_part ${_hmmsim_libdir_parts})
  string(APPEND HMMSIM_PC_PREFIX "/..")
endforeach()
set(HMMSIM_PC_REQUIRES "")
if(HMMSIM_JEMALLOC)
  set(HMMSIM_PC_REQUIRES "jemalloc")
endif()
configure_file(cmake/hmmsim.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/hmmsim.pc @ONLY)
configure_file(cmake/hmmsim-native.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/hmmsim-native.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/pkgconfig/hmmsim.pc ${CMAKE_BINARY_DIR}/pkgconfig/hmmsim-native.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The manual page and bash completion.
file(WRITE ${CMAKE_BINARY_DIR}/man/hmmsim-native.1 ".so man1/hmmsim.1\n")
install(FILES docs/hmmsim.1 ${CMAKE_BINARY_DIR}/man/hmmsim-native.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES scripts/hmmsim.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME hmmsim)
install(FILES scripts/hmmsim.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME hmmsim-native)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian policy 12.5: /usr/share/doc/PACKAGE/copyright, in every installation
install(FILES cmake/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
  PATTERN "build*" EXCLUDE)

# --- the Debian package: cd build && cpack -G DEB ----------------------------
set(CPACK_PACKAGE_NAME hmmsim)
set(CPACK_PACKAGE_VENDOR "hmmsim")
set(CPACK_PACKAGE_CONTACT "hmmsim developers <hmmsim@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "model checker for the Linux HMM / P2P path (kernel model of Linux ${HMMSIM_KERNEL_RELEASE})")
set(CPACK_PACKAGE_DESCRIPTION
  "hmmsim explores the thread interleavings of a C model of Linux ${HMMSIM_KERNEL_RELEASE}'s \
hmm_range_fault(), mmu interval notifiers, device-private migration and PCI P2PDMA, \
with the drivers that use them, and reports each violation with a replayable schedule. \
The package holds the commands, the static libraries and headers to write scenarios \
and driver models in C (pkg-config hmmsim, or find_package(hmmsim)), the manual page \
and bash completion.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# the runtime libraries of the commands (libc6, libjemalloc2, liburcu8)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# what building against the installed libraries needs (hmmsim.pc requires them)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pkg-config, libjemalloc-dev, liburcu-dev")
set(CPACK_GENERATOR DEB)
include(CPack)
