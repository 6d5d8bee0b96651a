# analysis/plots/pressure.gp — the pressure figure: throughput (accesses/s)
# against file size / memory limit, one line per source | method | threads,
# native solid, model dashed in the same colour. Variables: datafile, nseries,
# titles[i], dashes[i] (1 native, 2 model), colours[i] (linetype).
set linetype 1 lc rgb "#0072B2" lw 2
set linetype 2 lc rgb "#E69F00" lw 2
set linetype 3 lc rgb "#009E73" lw 2
set linetype 4 lc rgb "#D55E00" lw 2
set linetype 5 lc rgb "#CC79A7" lw 2
set linetype 6 lc rgb "#56B4E9" lw 2
set linetype 7 lc rgb "#000000" lw 2
set linetype 8 lc rgb "#999999" lw 2
# the suite has 10 variants: two more colours, so no two variants share one
set linetype 9 lc rgb "#8C510A" lw 2
set linetype 10 lc rgb "#6A3D9A" lw 2
set linetype 11 lc rgb "#B2182B" lw 2
set linetype 12 lc rgb "#1B7837" lw 2
set linetype cycle 12
set logscale x 2
set logscale y 10
set xlabel "file size / memory-cgroup limit (log scale)"
set ylabel "random 4 KiB reads per second (log scale, higher is better)"
set grid xtics ytics
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 3 lw 1 lc rgb "#555555"
set key outside right top font ",10" title "source | method | threads (model dashed)"
set title "Random reads larger than memory: throughput against file size / limit"
plot for [i=1:nseries] datafile index (i-1) using 1:2 with linespoints pt 7 ps 1 \
     lt colours[i] dt dashes[i] title titles[i]
