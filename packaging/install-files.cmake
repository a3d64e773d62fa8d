# Runs at install time (cmake --install, cpack), after the binary is in place: installs the
# configuration and the systemd units with paths derived from the prefix of *this* install,
# so `make install PREFIX=/opt/x` and the .deb (prefix /usr) each get units that point at
# their own binary. Set from cmake/sf_package.cmake: SF_SOURCE_DIR, SF_BINARY_DIR,
# SF_INSTALL_CONFDIR and SF_INSTALL_UNITDIR (empty: derived from the prefix, see below).
#
#   prefix        binary            configuration        units
#   /usr          /usr/bin          /etc/slsfwd          /lib/systemd/system (Debian 12)
#   anything else PREFIX/bin        PREFIX/etc/slsfwd    PREFIX/lib/systemd/system
#
# An existing configuration file is never overwritten (a second `make install` must not
# undo the admin's edits); the .deb marks it as a conffile, so dpkg asks instead.

set(prefix "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/+$" "" prefix "${prefix}")
if(SF_INSTALL_CONFDIR)
  set(confdir "${SF_INSTALL_CONFDIR}")
elseif(prefix STREQUAL "/usr" OR prefix STREQUAL "")
  set(confdir "/etc/slsfwd")
else()
  set(confdir "${prefix}/etc/slsfwd")
endif()
if(SF_INSTALL_UNITDIR)
  set(unitdir "${SF_INSTALL_UNITDIR}")
elseif(prefix STREQUAL "/usr" OR prefix STREQUAL "")
  set(unitdir "/lib/systemd/system")
else()
  set(unitdir "${prefix}/lib/systemd/system")
endif()

# @...@ placeholders of packaging/*.service.in.
set(SF_BINDIR "${prefix}/${SF_INSTALL_BINDIR}")
set(SF_DOCDIR "${prefix}/${SF_INSTALL_DOCDIR}")
set(SF_CONFDIR "${confdir}")
set(gen "${SF_BINARY_DIR}/packaging/units")
foreach(unit slsfwd.service slsfwd@.service)
  configure_file("${SF_SOURCE_DIR}/packaging/${unit}.in" "${gen}/${unit}" @ONLY)
endforeach()
file(INSTALL DESTINATION "${unitdir}" TYPE FILE
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
  FILES "${gen}/slsfwd.service" "${gen}/slsfwd@.service")

# The configuration may hold secrets: 0640 from the start. The .deb's postinst gives the group
# to slsfwd (dpkg-statoverride); after a plain `make install`, docs/packaging.md says how.
if(EXISTS "$ENV{DESTDIR}${confdir}/slsfwd.yaml")
  message(STATUS "Kept existing: $ENV{DESTDIR}${confdir}/slsfwd.yaml")
else()
  file(INSTALL DESTINATION "${confdir}" TYPE FILE RENAME slsfwd.yaml
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
    FILES "${SF_SOURCE_DIR}/etc/slsfwd.example.yaml")
endif()
