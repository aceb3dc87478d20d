# Install rules: `cmake --install <build> [--prefix <dir>]` puts down
#
#   include/tcpkit/...                       the public headers (each layer's HEADERS file set,
#                                            tcpkit/version.hpp included)
#   lib/libtcpkit_<layer>.a                  one static library per layer
#   lib/cmake/tcpkit/                        the CMake package: tcpkitConfig.cmake,
#                                            tcpkitConfigVersion.cmake, tcpkitTargets*.cmake
#   lib/pkgconfig/tcpkit.pc                  for pkg-config users
#   bin/tcpkit                               the CLI (TCPKIT_TOOLS)
#   share/man/man1/tcpkit*.1                 its man pages (help2man; scripts/gen-docs)
#   share/bash-completion/completions/tcpkit its bash completion
#   share/doc/tcpkit/LICENSE
#
# (lib may be lib64 or lib/<multiarch>, as GNUInstallDirs decides.) The headers of
# include/tcpkit/bench are not installed: the bench engine is part of the CLI only.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(TCPKIT_LAYERS GLOBAL PROPERTY TCPKIT_LAYERS)
set(TCPKIT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tcpkit)

list(TRANSFORM TCPKIT_LAYERS PREPEND tcpkit_ OUTPUT_VARIABLE tcpkit_layer_targets)
install(TARGETS ${tcpkit_layer_targets} tcpkit
        EXPORT tcpkitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT tcpkitTargets
        NAMESPACE tcpkit::
        DESTINATION ${TCPKIT_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tcpkitConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/tcpkitConfig.cmake
                              INSTALL_DESTINATION ${TCPKIT_CMAKE_DIR})
# 0.x: a new minor version may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tcpkitConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION}
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tcpkitConfig.cmake
              ${PROJECT_BINARY_DIR}/tcpkitConfigVersion.cmake
        DESTINATION ${TCPKIT_CMAKE_DIR})

# tcpkit.pc: every layer's library, users of a library before the libraries it uses (static
# linking resolves left to right), so the reverse of the order the layers were defined in.
set(TCPKIT_PC_LIBS "")
foreach(layer IN LISTS TCPKIT_LAYERS)
  string(PREPEND TCPKIT_PC_LIBS "-ltcpkit_${layer} ")
endforeach()
string(STRIP "${TCPKIT_PC_LIBS}" TCPKIT_PC_LIBS)
set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  message(FATAL_ERROR "tcpkit: tcpkit.pc needs a relative CMAKE_INSTALL_LIBDIR and INCLUDEDIR")
endif()
file(RELATIVE_PATH TCPKIT_PC_PREFIX_FROM_PCDIR /prefix/${pc_dir} /prefix)
string(REGEX REPLACE "/$" "" TCPKIT_PC_PREFIX_FROM_PCDIR "${TCPKIT_PC_PREFIX_FROM_PCDIR}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/tcpkit.pc.in ${PROJECT_BINARY_DIR}/tcpkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tcpkit.pc DESTINATION ${pc_dir})

if(TARGET tcpkit_cli)
  install(TARGETS tcpkit_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  if(TARGET tcpkit_docs)
    install(FILES ${TCPKIT_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
    install(FILES ${TCPKIT_DOCS_DIR}/tcpkit.bash
            DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME tcpkit)
  endif()
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
