# analysis/plots/faults.gp — (4) page faults per case: minor and major,
# native beside model, plus the model's fault-around when it reports it.
# Variables: datafile, has_around, nrows, maxlab (longest x label, characters).
# Data columns: label native_minor native_major model_minor model_major model_fault_around.
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
set logscale y
set yrange [0.8:*]
set grid ytics
set key outside top center horizontal
set xtics rotate by -60 left font ",8"
set bmargin maxlab*0.37 + 1
set rmargin maxlab*0.4 + 2
set xrange [-0.6:nrows-0.4]
set ylabel "page faults per replay, log scale (zero: no bar)"
set title "Page faults per case (pattern | method | cache state): minor and major, native vs model" font ",12"
if (has_around) {
  plot datafile using 2:xtic(1) title "native minor", '' using 3 title "native major", \
       '' using 4 title "model minor", '' using 5 title "model major", \
       '' using 6 title "model: mapped by fault-around"
} else {
  plot datafile using 2:xtic(1) title "native minor", '' using 3 title "native major", \
       '' using 4 title "model minor", '' using 5 title "model major"
}
