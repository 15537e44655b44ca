#!/bin/bash
# checkpatch.pl (linux-source-6.1) over every source file: any warning
# or error fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/ksrc.sh"
cd "$root"

checkpatch() {
	perl build/ksrc/scripts/checkpatch.pl --no-tree --terse --show-types \
		"$@" 2>&1 | grep -E ": (WARNING|ERROR):" || true
}

# Kselftests skip through macros that return, like the harness's SKIP().
# And a loop's EXPECT/ASSERT with a TH_LOG needs braces: the harness's
# handler is a for statement of its own, so without them the message is
# printed once after the loop, with the loop's final index.
out=$(checkpatch -f $(git ls-files '*.c' '*.h' '*.S' ':!selftests')
      checkpatch --ignore MACRO_WITH_FLOW_CONTROL,BRACES -f \
	$(git ls-files 'selftests/*.c' 'selftests/*.h'))
if [ -n "$out" ]; then
	echo "$out"
	echo "lint: checkpatch found problems" >&2
	exit 1
fi
echo "lint: checkpatch clean ($(git ls-files '*.c' '*.h' '*.S' | wc -l) files)"
