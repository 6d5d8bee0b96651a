# analysis/plots/methods.gp — (1) throughput and cost per access of each
# access method, per access pattern, native beside model.
# Variables (set by mapbench plot): datafile, has_native, has_model, nrows,
# maxlab (longest x label, characters: sizes the margins so every label fits).
# Data columns: "pattern | method | cache" native_bps model_bps native_ns model_ns ("?" = missing).
# readable colours (Okabe-Ito), shared by every mapbench figure
set linetype 1 lc rgb "#0072B2" lw 1.5
set linetype 2 lc rgb "#E69F00" lw 1.5
set linetype 3 lc rgb "#009E73" lw 1.5
set linetype 4 lc rgb "#D55E00" lw 1.5
set linetype 5 lc rgb "#CC79A7" lw 1.5
set linetype 6 lc rgb "#56B4E9" lw 1.5
set linetype 7 lw 1.5
set linetype 8 lw 1.5
set linetype cycle 8
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key outside top right horizontal
set xtics rotate by -60 left font ",8"
set bmargin maxlab*0.37 + 1
set rmargin maxlab*0.4 + 2
set xrange [-0.6:nrows-0.4]
set multiplot layout 2,1 title "Access methods per case (pattern | method | cache state): native vs model" font ",12"
set title "Throughput: bytes accessed per second of replay"
set ylabel "bytes/s, log scale (higher is better)"
set format y "%.0s %cB/s"
set logscale y 10
set yrange [*:*]
if (has_native && has_model) {
  plot datafile using 2:xtic(1) title "native", '' using 3 title "model"
} else {
  if (has_native) { plot datafile using 2:xtic(1) title "native" } \
  else { plot datafile using 3:xtic(1) title "model" }
}
set title "Cost per access: replay time / trace records"
set ylabel "ns per access, log scale (lower is better)"
set format y "%g"
if (has_native && has_model) {
  plot datafile using 4:xtic(1) title "native", '' using 5 title "model"
} else {
  if (has_native) { plot datafile using 4:xtic(1) title "native" } \
  else { plot datafile using 5:xtic(1) title "model" }
}
unset multiplot
