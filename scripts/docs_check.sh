#!/bin/bash
# The guide (docs/) stays true to the code: every `file:symbol` code span
# must name a file that exists and a symbol that file defines, every
# `path` code span into the tree and every relative Markdown link must
# exist, and (where graphviz is installed) every figure must render.
# Prints each broken reference as doc:line, then one summary line.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Inline code spans and relative link targets outside fenced blocks, as
# "doc<TAB>line<TAB>kind<TAB>text" (kind: code or link).
refs() {
	awk '
	/^[ \t]*```/ { fence = !fence; next }
	fence { next }
	{
		s = $0
		while (match(s, /`[^`]+`/)) {
			printf "%s\t%d\tcode\t%s\n", FILENAME, FNR,
				substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
		s = $0
		while (match(s, /\]\([^)]+\)/)) {
			printf "%s\t%d\tlink\t%s\n", FILENAME, FNR,
				substr(s, RSTART + 2, RLENGTH - 3)
			s = substr(s, RSTART + RLENGTH)
		}
	}' "$@"
}

# Does $1 define $2? C: a function definition (the "{" comes before any
# ";"), a macro, a struct/union/enum, a file-scope variable or DEFINE_*()
# object. Assembly: a label, SYM_*_START/SYM_INNER_LABEL/ENTRY, a .macro.
# Prototypes and extern declarations do not count: a link goes to where
# the thing is.
defines() {
	awk -v sym="$2" '
	# What follows each whole-word use of sym on the line, "\n"-joined.
	function after(s,	out, r) {
		out = ""
		while (match(s, "(^|[^A-Za-z0-9_])" sym "([^A-Za-z0-9_]|$)")) {
			r = substr(s, RSTART + RLENGTH)
			if (substr(s, RSTART + RLENGTH - 1, 1) !~ /[A-Za-z0-9_]/)
				r = substr(s, RSTART + RLENGTH - 1)
			out = out "\n" r
			s = r
		}
		return out
	}
	function def_or_decl(s) {
		return index(s, "{") && (!index(s, ";") ||
					 index(s, "{") < index(s, ";"))
	}
	BEGIN { found = 0; pending = 0 }
	pending {
		acc = acc " " $0
		if (acc ~ /[{;]/) {
			found = found || def_or_decl(acc)
			pending = 0
		}
		next
	}
	$0 ~ "^#[ \t]*define[ \t]+" sym "([^A-Za-z0-9_]|$)" { found = 1 }
	$0 ~ "^[ \t]*\\.macro[ \t]+" sym "([ \t,]|$)" { found = 1 }
	$0 ~ "^" sym ":" { found = 1 }
	$0 ~ "(SYM_[A-Z_]*START[A-Z_]*|SYM_INNER_LABEL|ENTRY)\\(" sym "[,)]" {
		found = 1
	}
	$0 ~ "^(typedef[ \t]+)?(struct|union|enum)[ \t]+" sym "[ \t]*(\\{|$)" {
		found = 1
	}
	$0 ~ "^(static[ \t]+)?DEFINE_[A-Z_]*\\(.*" sym "\\)" { found = 1 }
	# Column 0, not a preprocessor line, a comment or an extern.
	/^[A-Za-z_]/ && !/^extern[ \t]/ && !/^[A-Z_]+\(/ {
		uses = after($0)
		if (uses ~ /\n[ \t]*\(/) {
			acc = $0
			if (acc ~ /[{;]/)
				found = found || def_or_decl(acc)
			else
				pending = 1
		} else if (uses ~ /\n[ \t]*(=|\[|;)/) {
			found = 1
		}
	}
	END { exit !found }' "$1"
}

# Top-level folders of the tree: a bare `path` span into one of them
# must exist (generated build/ output is not checked).
is_tree_path() {
	local first=${1%%/*}

	[ "$first" != "$1" ] && [ "$first" != build ] && [ -d "$first" ]
}

mapfile -t docs < <(find docs -name '*.md' | sort)
if [ "${#docs[@]}" -eq 0 ]; then
	echo "docs_check: no docs/*.md" >&2
	exit 1
fi
nlinks=0 nbroken=0

broken() {
	echo "$1:$2: $3" >&2
	nbroken=$((nbroken + 1))
}

while IFS=$'\t' read -r doc line kind text; do
	case $kind in
	code)
		# file:symbol, the symbol a C identifier (trailing "()" allowed).
		if [[ $text =~ ^([A-Za-z0-9_./-]+\.(c|h|S)):([A-Za-z_][A-Za-z0-9_]*)(\(\))?$ ]]; then
			file=${BASH_REMATCH[1]} sym=${BASH_REMATCH[3]}
			nlinks=$((nlinks + 1))
			if [ ! -f "$file" ]; then
				broken "$doc" "$line" "$text: no file $file"
			elif ! defines "$file" "$sym"; then
				broken "$doc" "$line" "$text: $file does not define $sym"
			fi
		elif [[ $text =~ ^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+/?$ ]] &&
		     is_tree_path "$text"; then
			nlinks=$((nlinks + 1))
			[ -e "$text" ] || broken "$doc" "$line" "$text: no such path"
		fi
		;;
	link)
		# Relative links only; anchors and generated output are not files.
		target=${text%%#*}
		case $target in
		'' | *://* | mailto:*) continue ;;
		esac
		nlinks=$((nlinks + 1))
		path=$(dirname "$doc")/$target
		case $(realpath -m --relative-to=. "$path") in
		build/*) ;;
		*) [ -e "$path" ] || broken "$doc" "$line" "link $text: no such file" ;;
		esac
		;;
	esac
done < <(refs "${docs[@]}")

# Every figure renders (graphviz is installed by scripts/setup.sh).
nfigs=0
if command -v dot >/dev/null; then
	for f in docs/figures/*.dot; do
		[ -e "$f" ] || continue
		nfigs=$((nfigs + 1))
		if ! err=$(dot -Tsvg "$f" 2>&1 >/dev/null) || [ -n "$err" ]; then
			broken "$f" 1 "dot: ${err:-failed}"
		fi
	done
else
	echo "docs_check: dot not installed, figures not rendered (scripts/setup.sh installs graphviz)" >&2
fi

if [ "$nbroken" -gt 0 ]; then
	echo "docs_check: $nbroken broken of $nlinks references in ${#docs[@]} docs" >&2
	exit 1
fi
echo "docs_check: $nlinks references in ${#docs[@]} docs, $nfigs figures: all good"
