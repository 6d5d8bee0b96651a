# analysis/plots/bars.gp — small multiples of clustered bars (methods-*,
# faults-*, read-fread-mmap): one panel per trace x cache state, one bar
# group per access method, one bar per source (native, then each model
# profile) in the same colour in every panel. Log y axis.
# Variables (set by mapbench plot): datafile, figtitle, ylab, npanels, ncols,
# nrows, nsrc, arrays stitles[nsrc] (source names), ptitles[npanels],
# pcols[npanels] (data columns with a value in that panel, e.g. "2 4"),
# ylo[npanels], yhi[npanels] (the panel's y range).
# Data: one block per panel: "method" value_source1 value_source2 ... ("?" = none).
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
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.95
set logscale y 10
set format y "%g"
set grid ytics mytics lc rgb "#dddddd"
set mytics 10
# labels end at their bar and run down-left: run to the right, the last ones were cut at the image edge
set xtics rotate by 25 right nomirror
set ytics nomirror
set key top left horizontal reverse Left samplen 1.5 font ",10" opaque
set lmargin 10
set bmargin 5
set multiplot layout nrows,ncols title figtitle font ",15"
do for [p=1:npanels] {
  set title ptitles[p] font ",12"
  set yrange [ylo[p]:yhi[p]]
  set ylabel (p - 1) % ncols == 0 ? ylab : ""
  plot for [w in pcols[p]] datafile index (p-1) using (column(int(w))):xtic(1) lt (int(w)-1) title stitles[int(w)-1]
}
unset multiplot
