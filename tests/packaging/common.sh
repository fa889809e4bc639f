# Sourced by the packaging tests: the repository root, a scratch folder removed on exit, `fail`,
# and the build settings both tests share.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Both tests build pipewarden in the release profile, as pre-commit and `maturin build
# --release` do for its users, but unoptimised: on two cores an optimised build of pipewarden
# alone takes 2 to 5 minutes, an unoptimised one under a minute, and nothing these tests check
# depends on optimisation. They share target/packaging, so that the dependencies compiled for
# one are reused by the other and from run to run, and target/release is left alone. The
# release profile's link-time optimisation is turned off with the rest.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/packaging" CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
