#!/usr/bin/env bash
# shellcheck disable=SC2016 # backticks in single quotes are markdown code spans, not substitutions
# Offline-preview diff of every stack between <base-ref> and the current checkout, printed as markdown
# on stdout (a workflow appends it to $GITHUB_STEP_SUMMARY); progress and tool output go to stderr.
#
# usage: scripts/pr-diff.sh <base-ref> [plans-dir]
#
# For each Pulumi.<stack>.yaml, previews the base ref (checked out with `git worktree add` into a temp
# dir) and the current checkout with `npm run preview` (mocks, no cloud), writing base-<stack>.json and
# head-<stack>.json into plans-dir (default .preview/pr-diff), and prints what the head adds (+),
# removes (-) and changes (~). A stack absent on the base shows as all new.
#
# Exit status: 0 when every head stack previews, including when the base cannot be previewed (no
# preview tool yet on the first PR, npm ci or the base program failing): that is reported as a note.
# 1 when a head stack fails to preview (after printing the markdown); 2 on a usage error.
set -euo pipefail

log() { printf 'pr-diff: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || die "usage: scripts/pr-diff.sh <base-ref> [plans-dir]"
base_ref=$1
root=$(git rev-parse --show-toplevel) || die "not inside a git repository"
cd "$root"
base_sha=$(git rev-parse --verify --quiet "${base_ref}^{commit}") || die "unknown base ref: ${base_ref}"
short_sha=$(git rev-parse --short "$base_sha")

plans=${2:-.preview/pr-diff}
mkdir -p "$plans"
plans=$(cd "$plans" && pwd)
rm -f "$plans"/head-*.json "$plans"/base-*.json

work=$(mktemp -d "${TMPDIR:-/tmp}/pr-diff.XXXXXX")
base_dir="$work/base"
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  if [[ -d $base_dir ]]; then
    git -C "$root" worktree remove --force "$base_dir" >/dev/null 2>&1 || true
  fi
  git -C "$root" worktree prune >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Stack names from Pulumi.<stack>.yaml names (Pulumi.yaml itself has no stack part).
stack_names() { sed -n 's/^Pulumi\.\(..*\)\.yaml$/\1/p' | sort -u; }
shopt -s nullglob
stack_files=(Pulumi.*.yaml)
mapfile -t head_stacks < <(printf '%s\n' "${stack_files[@]}" | stack_names)
mapfile -t base_stacks < <(git ls-tree --name-only "$base_sha" | stack_names)
in_base() {
  local s
  for s in "${base_stacks[@]}"; do [[ $s == "$1" ]] && return 0; done
  return 1
}

# Runs `npm run preview` in a directory, all output to a log file; returns the preview's status.
preview() {
  local dir=$1 log_file=$2
  shift 2
  (cd "$dir" && npm run --silent preview -- "$@") >"$log_file" 2>&1
}

# The last lines of a log, as a fenced block.
log_block() {
  printf '```\n'
  tail -n 40 "$1"
  printf '```\n'
}

# Whether the base can be previewed at all; when not, base_note says why.
base_note=""
base_has_tool() {
  git show "$base_sha:package.json" 2>/dev/null | node -e '
    let text = "";
    process.stdin.on("data", (d) => (text += d)).on("end", () => {
      try { process.exit(JSON.parse(text).scripts?.preview ? 0 : 1); } catch { process.exit(1); }
    });' && git cat-file -e "$base_sha:infra/preview/cli.ts" 2>/dev/null
}
if [[ ${#base_stacks[@]} -eq 0 ]]; then
  base_note="The base ref has no stack files, so every stack shows as new."
elif ! base_has_tool; then
  base_note="The base ref has no offline preview tool yet (\`npm run preview\`, infra/preview/cli.ts), so there is nothing to compare with: every stack shows as new."
else
  log "checking out ${base_ref} (${short_sha}) into ${base_dir}"
  git worktree add --detach --quiet "$base_dir" "$base_sha"
  if [[ -d node_modules ]] && cmp -s <(git show "$base_sha:package-lock.json" 2>/dev/null) package-lock.json; then
    log "package-lock.json is unchanged: reusing node_modules"
    ln -s "$root/node_modules" "$base_dir/node_modules"
  else
    log "package-lock.json differs: npm ci on the base"
    if ! (cd "$base_dir" && npm ci --no-audit --no-fund) >&2; then
      base_note="\`npm ci\` failed on the base ref, so every stack shows as new (see the job log)."
    fi
  fi
fi

printf '## Offline preview: `%s` (%s) → this change\n\n' "$base_ref" "$short_sha"
printf '%s\n\n' "Each stack's Pulumi program run under mocks (no cloud, no credentials): what this change would add (\`+\`), remove (\`-\`) and change (\`~\`)."
if [[ -n $base_note ]]; then
  printf '> [!NOTE]\n> %s\n\n' "$base_note"
fi
if [[ ${#head_stacks[@]} -eq 0 ]]; then
  printf '_No stack files (`Pulumi.<stack>.yaml`) in this change._\n\n'
fi

status=0
for stack in "${head_stacks[@]}"; do
  log "previewing ${stack}"
  against="$work/empty-$stack.json"
  printf '{ "project": "", "stack": "%s", "resources": [] }\n' "$stack" >"$against"
  stack_note=""
  if [[ -z $base_note ]]; then
    if ! in_base "$stack"; then
      stack_note="New stack: \`Pulumi.${stack}.yaml\` is not on the base ref, so everything shows as new."
    elif preview "$base_dir" "$work/base-$stack.log" --stack "$stack" --quiet --out "$plans/base-$stack.json"; then
      against="$plans/base-$stack.json"
    else
      stack_note="The base ref's preview of this stack failed, so everything shows as new."
    fi
  fi

  printf '### `%s`\n\n' "$stack"
  # One run writes the head plan and diffs it against the base plan (or the empty one).
  if ! preview "$root" "$work/head-$stack.log" --stack "$stack" --quiet --out "$plans/head-$stack.json" --diff "$against"; then
    status=1
    printf '**The preview of this change failed:**\n\n'
    log_block "$work/head-$stack.log"
    printf '\n'
    continue
  fi
  if [[ -n $stack_note ]]; then
    printf '%s\n\n' "$stack_note"
    if [[ -f $work/base-$stack.log ]]; then
      printf '<details><summary>Base preview output</summary>\n\n'
      log_block "$work/base-$stack.log"
      printf '\n</details>\n\n'
    fi
  fi
  # The diff is what follows the CLI's "diff against <file>:" line; its last line is the totals.
  sed -n '/^diff against /,$p' "$work/head-$stack.log" | tail -n +2 >"$work/diff-$stack.txt"
  totals=$(tail -n 1 "$work/diff-$stack.txt")
  # Deleting protected or retained resources (data stores, keys, secrets) is said outside the fold.
  if grep -q '^!!! DANGER' "$work/diff-$stack.txt"; then
    printf '> [!CAUTION]\n'
    grep '^!!!' "$work/diff-$stack.txt" | sed 's/^!!! */> /'
    printf '\n'
  fi
  if [[ $totals == "0 to add, 0 to change, 0 to remove" ]]; then
    printf 'No changes.\n\n'
  else
    printf '**%s**\n\n' "$totals"
    # Long diffs (a new stack lists every resource) fold away so the other stacks stay in view.
    lines=$(($(wc -l <"$work/diff-$stack.txt") - 1))
    if [[ $lines -gt 40 ]]; then printf '<details><summary>%s lines</summary>\n\n' "$lines"; fi
    printf '```diff\n'
    sed '$d' "$work/diff-$stack.txt"
    printf '```\n\n'
    if [[ $lines -gt 40 ]]; then printf '</details>\n\n'; fi
  fi
done

for stack in "${base_stacks[@]}"; do
  if [[ ! -f Pulumi.$stack.yaml ]]; then
    printf '### `%s`\n\n' "$stack"
    printf 'Stack file `Pulumi.%s.yaml` removed by this change. Removing the file does not tear down a deployed stack: use the destroy workflow for that.\n\n' "$stack"
  fi
done

if [[ $status -ne 0 ]]; then
  log "at least one stack failed to preview on this change"
fi
exit "$status"
