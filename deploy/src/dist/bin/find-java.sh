# Sourced by the switchyard launchers: sets SWITCHYARD_JAVA_HOME to a JDK 25 or newer (JAVA_HOME if
# it is one, else the newest-looking one under SWITCHYARD_JVM_DIR, default /usr/lib/jvm), or exits
# with one line that says what to install.

switchyard_java_major() {
  "$1/bin/java" -version 2>&1 | sed -nE '1s/.*version "([0-9]+)(\.[^"]*)?".*/\1/p'
}

switchyard_find_java() {
  local candidate major jvms="${SWITCHYARD_JVM_DIR:-/usr/lib/jvm}"
  for candidate in "${JAVA_HOME:-}" "$jvms"/*25* "$jvms"/*-2[5-9]* "$jvms"/*-[3-9][0-9]*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    major=$(switchyard_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      SWITCHYARD_JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "switchyard: needs JDK 25 or newer: install one (e.g. Temurin 25 into /usr/lib/jvm) or set JAVA_HOME to it" >&2
  exit 1
}

# Every Switchyard JVM: the Vector API for the kernels, jdk.internal.misc for Agrona 2.x, FFM for mapped weights.
SWITCHYARD_JVM_OPTS="--add-modules jdk.incubator.vector --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseCompactObjectHeaders"

# Filters a JVM's stderr: passes it through unchanged but for the one line the JVM writes first, that the
# Vector API is an incubator module, which every command would otherwise begin with. It ignores Ctrl-C
# and SIGTERM, which are the JVM's to handle, so that it outlives the JVM's shutdown and passes on its
# last lines; it ends when the JVM's stderr closes. After that line it is cat: a progress line without
# a newline still shows as it is written.
switchyard_drop_incubator_warning() {
  trap '' INT TERM
  local line=""
  while IFS= read -r line; do
    if [ "$line" = "WARNING: Using incubator modules: jdk.incubator.vector" ]; then
      exec cat
    fi
    printf '%s\n' "$line"
  done
  if [ -n "$line" ]; then printf '%s' "$line"; fi
}
