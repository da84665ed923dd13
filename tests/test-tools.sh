#!/usr/bin/env bash
# lsuserns / lspidns end to end: a known situation, the text tree against the JSON tree, the JSON
# against lsns, Graphviz output, bad options, and an unprivileged run.
# Usage: tests/test-tools.sh BUILD_DIR [FILTER]
# (Output is captured before grep -q reads it: with pipefail, a writer killed by SIGPIPE when
# grep -q stops early would fail the check on a busy machine.)
set -uo pipefail
build=${1:?build dir}
filter=${2:-}
lsuserns=$build/tools/lsuserns
lspidns=$build/tools/lspidns
passed=0 failed=0 skipped=0
tmp=$(mktemp -d)
pids=()

cleanup() {
	local p
	# The innermost first: its parent reaps it and exits, and we reap that.
	[[ -n ${inner:-} ]] && kill -9 "$inner" 2>/dev/null
	wait 2>/dev/null
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	[[ -e $tmp/pin ]] && umount "$tmp/pin" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

run() { # run NAME FUNCTION
	[[ -n $filter && $1 != *"$filter"* ]] && return
	local out
	if out=$("$2" 2>&1); then
		echo "PASS $1"
		((passed++))
	elif [[ $out == SKIP:* ]]; then
		echo "SKIP $1: ${out#SKIP: }"
		((skipped++))
	else
		echo "FAIL $1: $(echo "$out" | tail -n 3 | tr '\n' ';')"
		((failed++))
	fi
}

# The situation: two nested user namespaces (the outer one without a process), a pid
# namespace, and a pinned network namespace.
setup() {
	unshare -Ur unshare -Urpf --kill-child --mount-proc sleep 300 2>/dev/null &
	pids+=($!)
	touch "$tmp/pin"
	unshare --net="$tmp/pin" true
	for _ in $(seq 100); do
		inner=$(pgrep -n -x sleep -P "$(pgrep -n -x unshare)" 2>/dev/null) && [[ -n $inner ]] && break
		sleep 0.05
	done
	[[ -n ${inner:-} ]] || { echo "setup failed"; exit 1; }
	pinned=$(stat -L -c %i "$tmp/pin")
	inner_user=$(readlink "/proc/$inner/ns/user" | tr -dc 0-9)
}

# Text tree lines as "depth ns", from LANG=C ascii art ("|-", "`-", "  " per level).
text_tree() {
	LANG=C "$@" 2>/dev/null | awk '{ i = match($0, /[a-z]+:\[[0-9]+\]/); print (i - 1) / 2, substr($0, i, RLENGTH) }'
}

# JSON tree flattened the same way.
json_tree() {
	"$@" 2>/dev/null | jq -r 'def walk_ns(d): "\(d) \(.ns)", (.children[]? | walk_ns(d + 1));
		.namespaces[] | walk_ns(0)'
}

t_text_matches_json() {
	diff <(text_tree "$lsuserns" -d) <(json_tree "$lsuserns" -d -J) || return 1
	diff <(text_tree "$lspidns") <(json_tree "$lspidns" -J) || return 1
	# Something to compare: the situation is there.
	grep -q "net:\[$pinned\]" <<<"$(text_tree "$lsuserns" -d)" || { echo "pinned netns missing"; return 1; }
}

t_tree_shows_how_things_were_found() {
	local out
	out=$("$lsuserns" -d 2>/dev/null)
	grep -q "net:\[$pinned\] bind mount $tmp/pin" <<<"$out" || { echo "$out"; return 1; }
	# The outer of the two nested user namespaces has no process: hidden.
	grep -q "hidden owner root (0)" <<<"$out" || { echo "$out"; return 1; }
	grep -q "user:\[$inner_user\] process \"unshare\" owner root (0)" <<<"$out" || { echo "$out"; return 1; }
	out=$("$lspidns" 2>/dev/null)
	grep -q "process \"sleep\" owner user:\[$inner_user\] root (0)" <<<"$out" || { echo "$out"; return 1; }
}

# Every namespace lsns lists is found, with the same parent and owner.
t_matches_lsns() {
	local ours theirs
	ours=$(json_flat() { "$@" 2>/dev/null | jq -r 'def all: ., (.children[]? | all);
		.namespaces[] | all | "\(.ns) \(.parent // "-") \(.ownerns // "-")"'; }
		{ json_flat "$lsuserns" -d -J -o NS,PARENT,OWNERNS; json_flat "$lspidns" -J -o NS,PARENT,OWNERNS; } | sort -u)
	theirs=$(lsns -J -o NS,TYPE,PNS,ONS | jq -r '.namespaces[] |
		"\(.type):[\(.ns)] \(if .pns == 0 or .pns == null then "-" else (if .type == "pid" then "pid" else "user" end) + ":[\(.pns)]" end) \(if .ons == 0 or .ons == null then "-" else "user:[\(.ons)]" end)"' | sort -u)
	# lsns gives flat types a parent of 0 and the initial user namespace no owner, as we do.
	local missing
	missing=$(comm -13 <(echo "$ours") <(echo "$theirs"))
	[[ -z $missing ]] || { echo "not found or different: $missing"; return 1; }
	[[ $(echo "$theirs" | wc -l) -ge 8 ]] || { echo "lsns listed too little"; return 1; }
}

t_raw_lists_parent() {
	grep -q "^user:\[$inner_user\] user:\[[0-9]*\]$" <<<"$("$lsuserns" -r -o NS,PARENT 2>/dev/null)"
}

t_dot_graph() {
	local out
	out=$("$lsuserns" --dot 2>/dev/null)
	[[ $out == "digraph namespaces {"* ]] || { echo "$out" | head -3; return 1; }
	grep -q "\"user:\[$inner_user\]\" \[label=" <<<"$out" || return 1
	grep -q -- "-> \"user:\[$inner_user\]\"" <<<"$out" || return 1
	if command -v dot >/dev/null; then
		echo "$out" | dot -Tsvg >/dev/null || return 1
	fi
}

t_bad_options_fail_with_one_line() {
	local args err
	for args in "--bogus" "-o NOPE" "--color=sometimes" "-s nowhere" "extra"; do
		# shellcheck disable=SC2086
		if err=$("$lsuserns" $args 2>&1 >/dev/null); then echo "lsuserns $args succeeded"; return 1; fi
		[[ $(echo "$err" | wc -l) -le 2 && $err == lsuserns:* ]] || { echo "lsuserns $args: $err"; return 1; }
	done
	err=$("$lspidns" -d 2>&1 >/dev/null) && { echo "lspidns -d succeeded"; return 1; }
	[[ $err == "lspidns: -d is not supported"* ]] || { echo "$err"; return 1; }
	"$lsuserns" -t user 2>/dev/null && return 1
	grep -q "^Usage: lsuserns" <<<"$("$lsuserns" --help)" || return 1
	grep -q "^lspidns from lxns [0-9]" <<<"$("$lspidns" -V)" || return 1
}

t_unprivileged_run_completes_and_says_what_it_missed() {
	command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; return 1; }
	local out err
	err=$(mktemp)
	out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$lsuserns" 2>"$err") || { cat "$err"; rm -f "$err"; return 1; }
	grep -q "could not be read" "$err" || { cat "$err"; rm -f "$err"; return 1; }
	rm -f "$err"
	[[ $out == user:* ]] || { echo "$out"; return 1; }
}

setup
run text_matches_json t_text_matches_json
run tree_shows_how_things_were_found t_tree_shows_how_things_were_found
run matches_lsns t_matches_lsns

# The BPF iterators and /proc give the same view, every column that differs between namespaces.
# The rest of the system may change between the two runs: a difference must show twice.
t_no_bpf_gives_the_same_view() {
	local cols=NS,TYPE,ID,NPROCS,PID,COMMAND,FOUND,OWNERNS,UID,PARENT a b
	for _ in 1 2; do
		a=$("$lsuserns" -d -J -o "$cols" 2>/dev/null | jq -S .)
		b=$("$lsuserns" -d -J -o "$cols" --no-bpf 2>/dev/null | jq -S .)
		[[ -n $a && $a == "$b" ]] && break
	done
	[[ $a == "$b" ]] || { diff <(echo "$a") <(echo "$b") | head; return 1; }
	grep -q "$pinned" <<<"$a" || { echo "the pinned namespace is missing"; return 1; }
}
run no_bpf_gives_the_same_view t_no_bpf_gives_the_same_view
run raw_lists_parent t_raw_lists_parent
run dot_graph t_dot_graph
run bad_options_fail_with_one_line t_bad_options_fail_with_one_line
run unprivileged_run_completes_and_says_what_it_missed t_unprivileged_run_completes_and_says_what_it_missed
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
