# analysis/plots/scatter.gp — (3) model against native for one metric
# family, log-log, with y = x and the family's tolerance band.
# Variables: datafile, family, unit (what the axes count), nseries, titles
# (one metric per data block), rel (relative tolerance), absol (absolute
# tolerance), tolname. Points above y = x: the model reports more than native.
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
set logscale xy
set xlabel sprintf("native: %s, log scale", unit)
set ylabel sprintf("model: %s, log scale", unit)
set grid xtics ytics
set key top left box opaque title "metric (one point per case)"
set size ratio -1
if (rel > 0 && absol > 0) {
  set title sprintf("Model vs native: %s (band: +-%g%% or +-%g, whichever is larger)", family, rel*100, absol)
} else { if (rel > 0) {
  set title sprintf("Model vs native: %s (band: +-%g%%)", family, rel*100)
} else {
  set title sprintf("Model vs native: %s (tolerance: exact, on y = x)", family)
} }
upper(x) = (x*rel > absol) ? x*(1+rel) : x + absol
lower(x) = (x*rel > absol) ? x*(1-rel) : ((x - absol) > 0 ? x - absol : 1/0)
set samples 400
if (rel > 0 || absol > 0) {
  plot upper(x) with lines dt 2 lc rgb "#888888" title "tolerance band", \
       lower(x) with lines dt 2 lc rgb "#888888" notitle, \
       x with lines lc rgb "black" title "y = x", \
       for [i=0:nseries-1] datafile index i using 1:2 with points pt (i%2 ? 6 : 7) + 2*((i/2)%3) ps (i%2 ? 1.6 : 1.0) lt i+1 title word(titles, i+1)
} else {
  plot x with lines lc rgb "black" title "y = x", \
       for [i=0:nseries-1] datafile index i using 1:2 with points pt (i%2 ? 6 : 7) + 2*((i/2)%3) ps (i%2 ? 1.6 : 1.0) lt i+1 title word(titles, i+1)
}
