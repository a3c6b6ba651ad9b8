# Runs at install time (cmake --install, DESTDIR, CPack): installs the systemd unit and
# the example env file where the *install-time* prefix wants them, and rewrites the
# unit's /usr/sbin and /etc paths to match. Prefix /usr follows Debian 12: /etc and
# /lib/systemd/system; any other prefix keeps everything under it.
# Inputs (set by packaging/CMakeLists.txt): PG_UNIT_SOURCE, PG_ENV_SOURCE,
# PG_INSTALL_SBINDIR, PG_INSTALL_SYSCONFDIR, PG_GENERATED_DIR.

function(pg_under_prefix out relative_or_absolute)
  if(IS_ABSOLUTE "${relative_or_absolute}")
    set(${out} "${relative_or_absolute}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${relative_or_absolute}" PARENT_SCOPE)
  endif()
endfunction()

string(REGEX REPLACE "/+$" "" prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr" AND PG_INSTALL_SYSCONFDIR STREQUAL "etc")
  set(sysconf_dir "/etc")
else()
  pg_under_prefix(sysconf_dir "${PG_INSTALL_SYSCONFDIR}")
endif()
if(prefix STREQUAL "/usr")
  set(unit_dir "/lib/systemd/system")
else()
  set(unit_dir "${prefix}/lib/systemd/system")
endif()
pg_under_prefix(sbin_dir "${PG_INSTALL_SBINDIR}")

file(READ "${PG_UNIT_SOURCE}" unit)
string(REPLACE "/usr/sbin/productgraphd" "${sbin_dir}/productgraphd" unit "${unit}")
string(REPLACE "/etc/productgraph/" "${sysconf_dir}/productgraph/" unit "${unit}")
file(WRITE "${PG_GENERATED_DIR}/productgraphd.service" "${unit}")

file(INSTALL "${PG_GENERATED_DIR}/productgraphd.service" DESTINATION "${unit_dir}"
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# 0640: the file may hold API keys. The Debian package gives it group productgraph.
file(INSTALL "${PG_ENV_SOURCE}" DESTINATION "${sysconf_dir}/productgraph"
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
