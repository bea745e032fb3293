#!/bin/sh
# Refresh po/jcstar.pot and merge it into po/*.po (run from the source root after changing
# messages). Keywords: _() and N_() in the CLI; finding titles are extracted from the title
# argument of jcs_evidence_add (the CLI shows them translated through cli_title()).
set -eu
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=jcs_evidence_add:6 --keyword=CMD:2 \
	--package-name=jcstar --no-location --sort-output -o po/jcstar.pot \
	src/cli/*.c src/cli/commands.def src/probe/*.c src/core/evidence.c
for po in po/*.po; do
	msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" po/jcstar.pot
done
