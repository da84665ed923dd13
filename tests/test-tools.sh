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
	for args in "--bogus" "-o NOPE" "--color=sometimes" "-s nowhere" "extra" "-s procs," "--timeout 0" "-o"; do
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

# The messages name the option and the value that was wrong; 14 columns are not too many.
t_option_errors_name_option_and_value() {
	local err
	err=$("$lsuserns" --json=foo 2>&1 >/dev/null)
	[[ $err == "lsuserns: option '--json' takes no value (given 'foo'); see --help" ]] || { echo "$err"; return 1; }
	err=$("$lsuserns" -o NS,BOGUS 2>&1 >/dev/null)
	[[ $err == *"-o: unknown column 'BOGUS'"* ]] || { echo "$err"; return 1; }
	err=$("$lsuserns" --timeout soon 2>&1 >/dev/null)
	[[ $err == *"--timeout: 'soon'"* ]] || { echo "$err"; return 1; }
	local cols
	cols=$(printf 'NS,%.0s' $(seq 13))NS
	[[ $("$lsuserns" -r -n -o "$cols" 2>/dev/null | head -n 1 | wc -w) == 14 ]] || { echo "14 columns refused"; return 1; }
	cols=$(printf 'NS,%.0s' $(seq 64))NS
	err=$("$lsuserns" -o "$cols" 2>&1 >/dev/null)
	[[ $err == *"-o: more than 64 columns"* ]] || { echo "$err"; return 1; }
}

t_verbose_says_how_it_read() {
	local err
	err=$("$lsuserns" -v 2>&1 >/dev/null)
	grep -qE "^lsuserns: (bpf|discover): " <<<"$err" || { echo "$err"; return 1; }
	err=$("$lsuserns" -v --no-bpf 2>&1 >/dev/null)
	grep -q "^lsuserns: discover: reading /proc (asked to)$" <<<"$err" || { echo "$err"; return 1; }
}

# Process names and mount paths any user may choose, through every output: the terminal gets no
# control sequence, JSON parses (jq and Python) as the same escaped text both ways, DOT parses.
t_hostile_names_in_every_format() {
	local names=($'\e]0;owned\a\e[6n' $'a\nb' '\x1b[31m' '"q"\' $'\xff\xfe-bad' $'\x9b-c1\xc2\x9b' $'\xe2\x80\xae-rlo' $'\x7f-del')
	local n out
	mine=() pins=() # not local: the subshell's EXIT trap ends them after the function returned
	trap 'kill -9 "${mine[@]}" 2>/dev/null; wait; for p in "${pins[@]}"; do umount "$p"; done' EXIT
	mkfifo "$tmp/block"
	# Network namespaces pinned below directories with the same names.
	for n in "${names[@]}"; do
		mkdir -p "$tmp/p/$n"
		touch "$tmp/p/$n/net"
		unshare --net="$tmp/p/$n/net" true || { echo "cannot pin at $n"; return 1; }
		pins+=("$tmp/p/$n/net")
	done
	for n in "${names[@]}"; do
		# A process names itself (comm can be written by its own process only), then blocks
		# opening a FIFO nobody writes to.
		unshare -U sh -c 'printf "%s" "$1" >/proc/self/comm && read -r x <"$2"' sh "$n" "$tmp/block" &
		mine+=($!)
	done
	for _ in $(seq 100); do
		[[ $(grep -c . /proc/"${mine[-1]}"/comm 2>/dev/null) -ge 1 && $(cat /proc/"${mine[-1]}"/comm) != sh ]] && break
		sleep 0.02
	done
	for args in "" "-d" "-r -o NS,COMMAND,FOUND" "--dot" "-d -t net" "-r -d -t net -o NS,FOUND" "--dot -d -t net"; do
		# shellcheck disable=SC2086
		out=$("$lsuserns" $args 2>/dev/null | od -An -tx1 -v | tr -s ' \n' '  ')
		# No C0 control but the newline, no DEL, no C1 (c2 80-9f), no bidi override (e2 80 ae).
		if grep -qE ' (0[0-9]|1[0-9a-f]|7f) ' <<<"${out// 0a / }" || grep -qE ' c2 [89][0-9a-f] | e2 80 ae ' <<<"$out"; then
			echo "lsuserns $args lets a control character through"; return 1
		fi
		"$lsuserns" $args 2>/dev/null | iconv -f UTF-8 -t UTF-8 >/dev/null || { echo "lsuserns $args: not UTF-8"; return 1; }
	done
	grep -qF 'process "\\x1b[31m"' <<<"$("$lsuserns")" || { echo "a backslash went unescaped"; return 1; }
	grep -qF 'process "\"q\"\\"' <<<"$("$lsuserns")" || { echo "a quote went unescaped"; return 1; }
	grep -qF 'process "\x1b]0;owned\x07\x1b[6n"' <<<"$("$lsuserns")" || { echo "the escape sequence is not shown escaped"; return 1; }
	local a b
	a=$("$lsuserns" -J -o NS,COMMAND 2>/dev/null | jq -c '[.. | .command? | strings] | sort')
	b=$("$lsuserns" -J -o NS,COMMAND --no-bpf 2>/dev/null | jq -c '[.. | .command? | strings] | sort')
	[[ -n $a && $a == "$b" ]] || { echo "BPF and /proc differ: $a / $b"; return 1; }
	"$lsuserns" -J 2>/dev/null | /usr/bin/python3 -c 'import json, sys; json.load(sys.stdin)' || { echo "Python's json refuses -J"; return 1; }
	grep -qF '"\\u202e-rlo"' <<<"$a" || { echo "$a"; return 1; }
	out=$("$lsuserns" -d -t net 2>/dev/null)
	grep -qF "bind mount $tmp/p/\\x1b]0;owned\\x07\\x1b[6n/net" <<<"$out" || { echo "a mount path is not shown escaped"; return 1; }
	grep -qF "bind mount $tmp/p/\\\\x1b[31m/net" <<<"$out" || { echo "a backslash in a mount path went unescaped"; return 1; }
	a=$("$lsuserns" -J -d -t net -o NS,FOUND 2>/dev/null | jq -c '[.. | .found? | strings | select(startswith("bind mount"))] | sort')
	b=$("$lsuserns" -J -d -t net -o NS,FOUND --no-bpf 2>/dev/null | jq -c '[.. | .found? | strings | select(startswith("bind mount"))] | sort')
	[[ -n $a && $a == "$b" ]] || { echo "BPF and /proc differ on mount paths: $a / $b"; return 1; }
	grep -qF '\\u202e-rlo/net"' <<<"$a" && grep -qF '\\xff\\xfe-bad/net"' <<<"$a" || { echo "$a"; return 1; }
	if command -v dot >/dev/null; then
		"$lsuserns" --dot 2>/dev/null | dot -Tcanon >/dev/null || { echo "dot refuses --dot"; return 1; }
		"$lsuserns" --dot -d -t net 2>/dev/null | dot -Tcanon >/dev/null || { echo "dot refuses --dot -d -t net"; return 1; }
	fi
}

# A bind mount below a FUSE mount that never answers: the tool ends at its deadline and says so.
t_stalled_fuse_mount_ends_at_the_deadline() {
	[[ -w /dev/fuse ]] || { echo "SKIP: no /dev/fuse"; return 1; }
	local d=$tmp/stall out err start
	mkdir -p "$d"
	mkfifo "$tmp/fuse-in"
	exec {keep}<>"$tmp/fuse-in" # fuse-stall runs until its input ends
	unshare -m --propagation private sh -c '
		mount -t tmpfs none "$1" && mkdir "$1/a" && touch "$1/a/ns" && unshare --net="$1/a/ns" true &&
		exec "$2" "$1/a"' sh "$d" "$build/tests/fuse-stall" <"$tmp/fuse-in" >"$tmp/fuse-out" &
	# The FUSE server and its mount namespace end with it. (A subshell's own process.)
	trap "kill -9 $! 2>/dev/null; wait" EXIT
	for _ in $(seq 100); do grep -q ready "$tmp/fuse-out" 2>/dev/null && break; sleep 0.05; done
	grep -q ready "$tmp/fuse-out" || { echo "fuse-stall did not mount"; return 1; }
	start=$SECONDS
	out=$(timeout 20 "$lsuserns" -d -v --timeout 0.3 2>"$tmp/err") || { echo "lsuserns failed or hung"; return 1; }
	err=$(<"$tmp/err")
	((SECONDS - start < 10)) || { echo "took $((SECONDS - start)) s"; return 1; }
	grep -q "not read before the deadline" <<<"$err" || { echo "$err"; return 1; }
	grep -q "mounts: mount namespace mnt:\[[0-9]*\]: timed out after 0.300 s" <<<"$err" || { echo "$err"; return 1; }
	grep -q "^net:\[[0-9]*\] bind mount $d/a/ns, owner unknown$" <<<"$out" || { echo "$out"; return 1; }
}

# Run as uid 65534 from a copy it can reach: the build may sit in a directory only root can
# enter (mktemp -d gives 0700).
as_nobody() {
	local dir=$tmp/nobody
	if [[ ! -d $dir ]]; then
		mkdir -p "$dir" && cp "$build"/tools/lsuserns "$build"/tools/lspidns "$dir"/ &&
			cp "$(ldd "$build/tools/lsuserns" | awk '/liblxns/ { print $3 }')" "$dir"/ && chmod a+rx "$tmp" "$dir" "$dir"/* || return 1
	fi
	local tool=$1
	shift
	setpriv --reuid 65534 --regid 65534 --clear-groups env LD_LIBRARY_PATH="$dir" "$dir/$tool" "$@"
}

t_unprivileged_run_completes_and_says_what_it_missed() {
	command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; return 1; }
	local out err
	err=$(mktemp)
	out=$(as_nobody lsuserns 2>"$err") || { cat "$err"; rm -f "$err"; return 1; }
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
run option_errors_name_option_and_value t_option_errors_name_option_and_value
run verbose_says_how_it_read t_verbose_says_how_it_read
run hostile_names_in_every_format t_hostile_names_in_every_format
run stalled_fuse_mount_ends_at_the_deadline t_stalled_fuse_mount_ends_at_the_deadline
run unprivileged_run_completes_and_says_what_it_missed t_unprivileged_run_completes_and_says_what_it_missed
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
