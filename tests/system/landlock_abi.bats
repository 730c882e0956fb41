#!/usr/bin/env bats
# Older kernels, simulated: CORRAL_TEST_LANDLOCK_ABI=N makes corral use
# Landlock ABI N (0-7) where the kernel has more, and nothing else changes
# (src/apply/landlock.h). The sandbox must hold at every ABI (the mounts are
# the first layer; Landlock the second), refuse what needs a newer ABI with a
# message that says which, and say on stderr that the switch is on.
# ABIs at or above the kernel's cannot be simulated and are skipped.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

kernel_abi() {
	"$CORRAL_REAL" doctor --json | sed -n 's/.*"landlock_kernel_abi":\([0-9]*\).*/\1/p'
}

# lowered_abis: the ABIs below the kernel's, or skip.
lowered_abis() {
	backend_is userns || skip "the switch only reaches the unprivileged side (corral-runner clears its environment)"
	local k
	k=$(kernel_abi)
	[ -n "$k" ] && [ "$k" -gt 0 ] || skip "this kernel has no Landlock: nothing to lower"
	seq 0 $((k - 1))
}

@test "landlock ABI 0-6 simulated: the switch is announced, writes outside and into protected names still fail" {
	local abis abi
	abis=$(lowered_abis)
	snap_outside before
	for abi in $abis; do
		run env CORRAL_TEST_LANDLOCK_ABI="$abi" "$CORRAL" run --backend userns -- env WS="$WS" OUT="$OUT" HOME="$HOME" \
			bash -c "$SB_PRELUDE"'
			must_work "echo ok > $WS/written"
			must_fail "echo evil >> $HOME/.bashrc"
			must_fail "echo evil > $OUT/data.txt"
			must_fail "truncate -s 0 $OUT/data.txt"
			must_fail "mkdir -p $WS/.git/hooks && echo evil > $WS/.git/hooks/pre-commit"
			must_fail "mv $WS/.git $WS/g"
			must_fail "mkdir $WS/.codex"
			must_fail "echo x > $WS/.corral.toml"
			echo SB-END'
		assert_sb_clean
		assert_output_has "CORRAL_TEST_LANDLOCK_ABI lowers Landlock to ABI $abi"
		[ "$(cat "$WS/written")" = ok ] || fail "ABI $abi: the workspace write did not land"
		[ ! -e "$WS/.codex" ] && [ ! -e "$WS/.corral.toml" ] && [ ! -e "$WS/g" ] ||
			fail "ABI $abi: something appeared in the workspace: $(ls -A "$WS")"
	done
	assert_outside_unchanged before
}

@test "landlock ABI 0-5 simulated: --network on is refused with 125, naming ABI 6 and the way out; 6 runs" {
	local abis abi
	abis=$(lowered_abis)
	for abi in $abis; do
		run env CORRAL_TEST_LANDLOCK_ABI="$abi" "$CORRAL" run --backend userns -n on -- true
		if [ "$abi" -ge 6 ]; then
			assert_success
			continue
		fi
		assert_status 125
		assert_output_has "keeping them out needs Landlock ABI 6 (Linux 6.12), this kernel has ABI $abi"
		assert_output_has "Use --network off"
		assert_output_has "CORRAL_TEST_LANDLOCK_ABI lowers Landlock to ABI $abi"
	done
}

@test "landlock ABI 1 simulated: links between directories of the workspace fail with EXDEV (no REFER); 2 allows them" {
	local abis
	abis=$(lowered_abis)
	[[ " $(echo $abis) " == *" 2 "* ]] || skip "needs a kernel with ABI 3 or more to simulate 1 and 2"
	mkdir "$WS/a" "$WS/b"
	echo data > "$WS/a/f"
	run env CORRAL_TEST_LANDLOCK_ABI=1 "$CORRAL" run --backend userns -- ln a/f b/f
	assert_status 1
	assert_output_has "Invalid cross-device link"
	[ ! -e "$WS/b/f" ] || fail "the link exists"
	run env CORRAL_TEST_LANDLOCK_ABI=2 "$CORRAL" run --backend userns -- ln a/f b/f
	assert_success
	[ "$(cat "$WS/b/f")" = data ] || fail "the link is not there"
}

@test "landlock ABI simulated: explain and doctor say which ABI is used and that it was lowered" {
	local abis abi k
	abis=$(lowered_abis)
	k=$(kernel_abi)
	for abi in $abis; do
		run env CORRAL_TEST_LANDLOCK_ABI="$abi" "$CORRAL" explain --backend userns -- true
		assert_success
		if [ "$abi" -gt 0 ]; then
			assert_output_has "landlock (ABI $abi, lowered by CORRAL_TEST_LANDLOCK_ABI; the kernel has $k)"
		fi
		assert_output_has "Landlock ABI lowered below the kernel's by the test switch"
		run env CORRAL_TEST_LANDLOCK_ABI="$abi" "$CORRAL" doctor
		assert_success
		assert_output_has "ABI $abi: "
		assert_output_has "lowered from the kernel's ABI $k by the test switch CORRAL_TEST_LANDLOCK_ABI"
		case $abi in
		0) assert_output_has "not available: the mounts alone enforce writes; --network on is refused" ;;
		1) assert_output_has "links and renames between directories of a writable root fail (EXDEV" ;;
		[2-5]) assert_output_has "abstract unix sockets not scoped: --network on is refused (it needs ABI 6" ;;
		*) assert_output_has "abstract unix sockets and signals scoped to the sandbox" ;;
		esac
		run env CORRAL_TEST_LANDLOCK_ABI="$abi" "$CORRAL" doctor --json
		assert_output_has "\"landlock_abi\":$abi,\"landlock_kernel_abi\":$k"
	done
}

@test "landlock ABI switch: a value that would raise the ABI, or is not one, changes nothing and says nothing" {
	backend_is userns || skip "the switch only reaches the unprivileged side"
	local k v
	k=$(kernel_abi)
	for v in 9 77 -1 x "" "$k"; do
		run env CORRAL_TEST_LANDLOCK_ABI="$v" "$CORRAL" explain --backend userns -- true
		assert_success
		refute_output_has "lowered"
		[ "$k" -eq 0 ] || assert_output_has "landlock (kernel ABI $k)"
	done
}
