#!/usr/bin/env bash
# The pre-commit hook, installed as its users get it: `pre-commit try-repo` builds this
# repository with `cargo install --path .` (`language: rust`) and runs `pipewarden check` on
# the files `.pre-commit-hooks.yaml` selects. A repository with vulnerable pipelines must fail
# with their findings, and one with a clean workflow and a vulnerable one its pipewarden.toml
# ignores must pass.
#
# try-repo builds from a clone of this repository (with uncommitted changes to tracked and
# staged files) and installs the hook afresh on every run, so each run compiles pipewarden
# itself again, with the settings in common.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
export PRE_COMMIT_HOME="$work/pre-commit-home"

# A git repository named NAME holding fixtures, given as `fixture:path-in-the-repository`.
repository() { # NAME FIXTURE:PATH...
  local repo="$work/$1"
  shift
  git init --quiet "$repo"
  for pair in "$@"; do
    mkdir -p "$(dirname "$repo/${pair#*:}")"
    cp "$root/tests/fixtures/${pair%%:*}" "$repo/${pair#*:}"
  done
  git -C "$repo" add --all
}

# Runs the hook with `pre-commit try-repo` on every file of the repository NAME, into
# $work/NAME.out, and checks pre-commit's exit status and the hook's result.
try_repo() { # NAME STATUS RESULT
  local status=0
  (cd "$work/$1" && time pre-commit try-repo "$root" pipewarden --all-files --color never) \
    > "$work/$1.out" 2>&1 || status=$?
  cat "$work/$1.out"
  [ "$status" -eq "$2" ] || fail "pre-commit exited with $status in the $1 repository, expected $2"
  grep -q "^pipewarden\.*$3\$" "$work/$1.out" || fail "the hook did not report $3 in the $1 repository"
}

# Vulnerable pipelines where GitHub, Forgejo, Gitea and GitLab read them, and a workflow kept
# as documentation, which the hook's `files:` leaves alone.
repository vulnerable \
  demo/.github/workflows/pr-checks.yml:.github/workflows/pr-checks.yml \
  demo/.github/workflows/issue-triage.yml:.forgejo/workflows/triage.yaml \
  demo/.github/workflows/issue-triage.yml:.gitea/workflows/triage.yml \
  demo/.gitlab-ci.yml:.gitlab-ci.yml \
  demo/.gitlab-ci.yml:ci/deploy.gitlab-ci.yml \
  demo/.github/actions/notify/action.yml:.github/actions/notify/action.yml \
  demo/.github/workflows/release.yml:docs/examples/release.yml
try_repo vulnerable 1 Failed
for expected in \
  '^\.github/workflows/pr-checks\.yml:[0-9]*:[0-9]*: critical\[untrusted-checkout\]' \
  '^\.forgejo/workflows/triage\.yaml:[0-9]*:[0-9]*: [a-z]*\[expression-injection\]' \
  '^\.gitea/workflows/triage\.yml:[0-9]*:[0-9]*: [a-z]*\[expression-injection\]' \
  '^\.gitlab-ci\.yml:[0-9]*:[0-9]*: ' \
  '^ci/deploy\.gitlab-ci\.yml:[0-9]*:[0-9]*: ' \
  '^\.github/actions/notify/action\.yml:[0-9]*:[0-9]*: '; do
  grep -q "$expected" "$work/vulnerable.out" || fail "no finding matching $expected"
done
! grep -q '^docs/' "$work/vulnerable.out" || fail "the hook checked docs/, which its files: excludes"

# A clean workflow, and a vulnerable one that the repository's pipewarden.toml ignores: the
# hook runs from the repository's root on relative paths, and must find the file there.
repository clean \
  clean/.github/workflows/release.yml:.github/workflows/release.yml \
  demo/.github/workflows/pr-checks.yml:.github/workflows/legacy-pr-checks.yml
printf '[[ignore]]\npaths = [".github/workflows/legacy-*.yml"]\nrules = ["all"]\n' > "$work/clean/pipewarden.toml"
git -C "$work/clean" add pipewarden.toml
try_repo clean 0 Passed
echo "pre-commit hook: fails on vulnerable pipelines, passes on a clean workflow and one pipewarden.toml ignores"
