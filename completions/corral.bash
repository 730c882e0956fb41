# bash completion for corral. The options are read from `corral run --help`
# at completion time, so they are always those of the installed corral.
_corral() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmds="run explain doctor cache mcp setup grant revoke version help"
	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$cmds" -- "$cur")
		return
	fi
	local i
	for ((i = 2; i < COMP_CWORD; i++)); do
		if [ "${COMP_WORDS[i]}" = -- ]; then # the command and its arguments
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			return
		fi
	done
	case $prev in
	-m | --mode) mapfile -t COMPREPLY < <(compgen -W "read-only workspace-write full-access" -- "$cur"); return ;;
	-n | --network) mapfile -t COMPREPLY < <(compgen -W "off on" -- "$cur"); return ;;
	--tmp) mapfile -t COMPREPLY < <(compgen -W "workspace private host" -- "$cur"); return ;;
	--git) mapfile -t COMPREPLY < <(compgen -W "read-only commits" -- "$cur"); return ;;
	--backend) mapfile -t COMPREPLY < <(compgen -W "auto userns users" -- "$cur"); return ;;
	-W | --workspace | -C | --cwd | -w | --writable-root) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
	--deny-read | --allow-read | --allow-unix-socket | --config) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	esac
	case ${COMP_WORDS[1]} in
	run | explain | mcp)
		if [[ $cur == -* ]]; then
			local opts
			opts=$("${COMP_WORDS[0]}" "${COMP_WORDS[1]}" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
			[ "${COMP_WORDS[1]}" = mcp ] && opts+=" $("${COMP_WORDS[0]}" run --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)"
			mapfile -t COMPREPLY < <(compgen -W "$opts --json --help" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
		fi ;;
	doctor) mapfile -t COMPREPLY < <(compgen -W "--json" -- "$cur") ;;
	cache) mapfile -t COMPREPLY < <(compgen -W "list clear" -- "$cur") ;;
	grant) mapfile -t COMPREPLY < <(compgen -d -W "--read" -- "$cur") ;;
	revoke) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	esac
}
complete -F _corral corral
