# analysis/plots/history.gp — (5) one metric across result files ordered by
# timestamp (baselines over time); x labels give the date and git sha.
# Variables: datafile, metric, unit, logy (1: values span more than 20x),
# nseries, titles (one per data block), npoints. Series beyond 8 reuse the
# colours with another dash pattern.
# Data columns: index value "date git".
# readable colours (Okabe-Ito), shared by every mapbench figure
set linetype 1 lc rgb "#0072B2" lw 1.5
set linetype 2 lc rgb "#E69F00" lw 1.5
set linetype 3 lc rgb "#009E73" lw 1.5
set linetype 4 lc rgb "#D55E00" lw 1.5
set linetype 5 lc rgb "#CC79A7" lw 1.5
set linetype 6 lc rgb "#56B4E9" lw 1.5
set linetype 7 lc rgb "#000000" lw 1.5
set linetype 8 lc rgb "#999999" lw 1.5
set linetype cycle 8
set datafile missing "?"
set title sprintf("History of %s across %d result files (one line per case; x: result file, oldest first, date and git)", metric, npoints)
# the x label goes into the title: under the rotated tics it collided with the legend below
unset xlabel
if (logy) { set logscale y; set ylabel sprintf("%s (%s), log scale", metric, unit) } \
else { set ylabel sprintf("%s (%s)", metric, unit); set yrange [0:*] }
set grid ytics
set key outside bottom center horizontal font ",8"
set xtics rotate by -25 left font ",8"
set offsets 0.3, 0.3, 0, 0
plot for [i=0:nseries-1] datafile index i using 1:2:xtic(3) with linespoints pt 7 lt i%8+1 dashtype i/8+1 \
     title word(titles, i+1)
