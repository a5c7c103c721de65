# Sourced by every SwarmFL shell script: strict mode, and a one-line reason whenever the script stops on an error.
#
# Why the reason matters: under `set -e` a failing command ends the script with only its exit status, and a status of
# 141 (a writer killed by SIGPIPE because the reader of its pipe stopped early) used to reach users with no message at
# all. So every stop names the script, the line, the command and its status.
#
# Rule for pipelines under pipefail (checked by tests/SwarmFL.Node.Tests/Devnet/ShellScriptTests.cs): never let the
# reader of a pipe stop before its writer has finished (`| head`, `| grep -q`, `| awk '… exit'`, `| sed q`). Let the
# reader consume everything (`awk 'NR==1'`, `grep -m1` on a file, `find … -print -quit`) or read from a file or string.
set -Eeuo pipefail

swarmfl_on_error() {
  local status=$1 line=$2 command=$3 script
  script="$(basename "${BASH_SOURCE[1]:-$0}")"
  local hint=""
  [ "$status" -eq 141 ] && hint=" (SIGPIPE: a pipe's reader stopped before its writer; this is a bug in the script, please report it)"
  [ "$status" -eq 130 ] && hint=" (interrupted)"
  printf '%s: stopped at line %s: `%s` exited with status %s%s\n' "$script" "$line" "$command" "$status" "$hint" >&2
}
trap 'swarmfl_on_error $? $LINENO "$BASH_COMMAND"' ERR
