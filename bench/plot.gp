# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: ms per GiB against the GiB a device adds, one line per
# method, four panels (online, offline, add + online, offline + remove).
# gnuplot -e "prefix='<dir>/plot-<lane>-<blocks>'; out='<file>.png'; title='...'" plot.gp
# reads <prefix>-{online,offline,add,remove}.dat written by bench/report.py.

set terminal pngcairo size 1400,1000 font ",10" noenhanced
set output out
set multiplot layout 2,2 title title
set logscale x 2
set xlabel "GiB added (device size)"
set ylabel "ms per GiB"
set yrange [0:*]
set key below font ",9" maxrows 3
set colorsequence podo
set grid
set datafile missing "NaN"

do for [panel in "online offline add remove"] {
	f = prefix . "-" . panel . ".dat"
	# The first line is "# <number of columns> <panel title>".
	n = int(system("sed -n '1s/^# \\([0-9]*\\) .*/\\1/p' " . f))
	set title system("sed -n '1s/^# [0-9]* //p' " . f)
	plot for [i=2:n] f using 1:i with linespoints lw 2 pt (i + 4) title columnheader(i)
}
unset multiplot
