#!/usr/bin/env bash
# check_exposition.sh FILE: the naming rules every slsfwd metric keeps (README.md "Metrics to
# alert on"), checked on a scrape so that a new metric cannot break them unnoticed:
#   - every sample belongs to a family announced by one # HELP and one # TYPE, before it;
#   - every HELP says its unit ("Unit: ...");
#   - counters end in _total; a unit (bytes, seconds) ends the name, before _total;
#   - base units only (no milliseconds, kilobytes, minutes...); no unit in a label name.
# Prints one line per violation and exits 1 when there is any.
set -euo pipefail
file=${1:?usage: check_exposition.sh FILE}
[ -s "$file" ] || { echo "check_exposition: $file is empty"; exit 1; }
awk '
function bad(msg) { print "metrics: " msg; errors++ }
# The family a sample belongs to: summaries and histograms add _sum, _count, _bucket.
function family(name,   base) {
    if (name in type) return name
    base = name
    if (sub(/_(sum|count|bucket)$/, "", base) && (base in type) &&
        (type[base] == "summary" || type[base] == "histogram")) return base
    return ""
}
/^# HELP / {
    name = $3
    if (name in help) bad(name ": HELP written twice")
    text = $0; sub(/^# HELP [^ ]+ ?/, "", text); help[name] = text
    if (text == "") bad(name ": empty HELP")
    else if (text !~ /Unit: [^ ]/) bad(name ": HELP does not say the unit (\"Unit: ...\")")
    next
}
/^# TYPE / {
    name = $3
    if (name in type) bad(name ": TYPE written twice")
    if (!(name in help)) bad(name ": TYPE without a HELP before it")
    type[name] = $4; families++
    if ($4 == "counter" && name !~ /_total$/) bad(name ": a counter whose name does not end in _total")
    if ($4 != "counter" && name ~ /_total$/) bad(name ": a " $4 " whose name ends in _total")
    unit = name; sub(/_total$/, "", unit)
    if (unit ~ /_(bytes|seconds)_/) bad(name ": the unit must end the name (before _total)")
    if (name ~ /_(milliseconds|microseconds|nanoseconds|ms|us|ns|minutes|hours|days|kb|mb|gb|kib|mib|gib|kilobytes|megabytes|bits|percent)(_|$)/)
        bad(name ": not a base unit (use seconds, bytes, ratios)")
    next
}
/^#/ || /^$/ { next }
{
    sample = $1; sub(/\{.*/, "", sample)
    f = family(sample)
    if (f == "") { bad(sample ": a sample without HELP and TYPE before it"); next }
    samples[f]++
    if (match($0, /\{.*\}/)) {
        labels = substr($0, RSTART + 1, RLENGTH - 2)
        n = split(labels, parts, /",/)
        for (i = 1; i <= n; i++) {
            lname = parts[i]; sub(/=.*/, "", lname)
            if (lname ~ /(_bytes|_seconds|_ms)$/) bad(sample ": a unit in the label name " lname)
        }
    }
}
END {
    if (families == 0) bad("no families at all")
    exit errors > 0
}
' "$file"
