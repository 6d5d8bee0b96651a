# analysis/plots/workset.gp — (2) cost per access against working-set size,
# one curve per pattern x method x cache state (native solid, model dashed in
# the same colour), with the TLB reach (entries x page size) marked when the
# results give the TLB geometry.
# Variables: datafile, nseries, arrays titles/colours/dashes[1..nseries],
# dropped (curves not drawn), xlo, xhi (x range, bytes), nreach,
# reach1..3 (bytes), reach1_name..reach3_name.
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
set logscale x 2
set logscale y 10
set xrange [xlo:xhi]
set format x "%.0b %BB"
set xlabel "working set (distinct pages touched x 4 KiB, else region size), log scale"
set ylabel "ns per access, log scale (lower is better)"
set grid xtics ytics
# the legend inside the plot area, top left under the reach labels, opaque so curves behind it do not
# cross the text; the y range gets a decade of headroom above the data for it
set key at graph 0.01, graph 0.84 left top Left reverse opaque box lc rgb "#bbbbbb" font ",9" \
    title "pattern | method | cache (native solid, model dashed/dotted)"
set autoscale yfixmax
set offsets 0, 0, graph 0.35, 0
more = dropped > 0 ? sprintf(" [%d more curves not drawn]", dropped) : ""
if (nreach > 0) {
  set title "Cost per access vs working set (vertical dashed lines: TLB reach = entries x page size)".more
} else {
  set title "Cost per access vs working set (TLB reach unknown: no TLB geometry in the results)".more
}
if (nreach >= 1) { set arrow 1 from reach1, graph 0 to reach1, graph 1 nohead dt 3 lw 1 lc rgb "#555555"; \
                   set label 1 reach1_name at reach1, graph 0.97 left offset 0.5,0 font ",9" }
if (nreach >= 2) { set arrow 2 from reach2, graph 0 to reach2, graph 1 nohead dt 3 lw 1 lc rgb "#555555"; \
                   set label 2 reach2_name at reach2, graph 0.92 left offset 0.5,0 font ",9" }
if (nreach >= 3) { set arrow 3 from reach3, graph 0 to reach3, graph 1 nohead dt 3 lw 1 lc rgb "#555555"; \
                   set label 3 reach3_name at reach3, graph 0.87 left offset 0.5,0 font ",9" }
plot for [i=1:nseries] datafile index (i-1) using 1:2 with linespoints pt 7 ps 0.8 \
     lt colours[i] dt dashes[i] title titles[i]
