# analysis/plots/agreement.gp — model against native, one square log-log
# panel per metric (same range on both axes), with y = x, the tolerance band
# of analysis/compare.c, points per model profile split by within/beyond
# tolerance, and the worst outliers named; a last panel lists each family's
# verdict. Points above y = x: the model reports more than the host.
# Variables: datafile, npanels, nprof, arrays ptitle, pnote (what is not
# drawn), punit, plo, phi, prel,
# pabs, pfirst, plast (data blocks of a panel: bidx[pfirst..plast], their
# class bcls: 2*profile + beyond, 1-based), plabl, plabr (label blocks or
# -1), prof[nprof] (profile names); verdicts (text, \n separated).
set linetype 1 lc rgb "#0072B2" lw 1.5
set linetype 2 lc rgb "#D55E00" lw 1.5
set linetype cycle 8
set logscale xy
set format x "%.0s%c"
set format y "%.0s%c"
set grid xtics ytics lc rgb "#dddddd"
set size ratio -1
# bottom right, above the "not drawn" note: outliers with model > native (top left) stay visible
set key at graph 0.98, graph 0.08 right bottom box opaque font ",8" samplen 1 spacing 0.9
set bmargin 4
upper(x) = (x*r_ > a_) ? x*(1+r_) : x + a_
lower(x) = (x*r_ > a_) ? x*(1-r_) : ((x - a_) > 0 ? x - a_ : 1/0)
set samples 300
# classes: profile k within (filled), beyond (open, vermilion)
cpt(c) = (c % 2 == 1) ? 7 + 2*((c-1)/2) : 6 + 2*((c-1)/2)
clc(c) = (c % 2 == 1) ? 1 : 2
ctit(c) = sprintf("%s, %s", prof[(c-1)/2+1], (c % 2 == 1) ? "within" : "beyond")
nrow = npanels >= 3 ? 2 : 1
set multiplot layout nrow,3 title "Model vs native, one panel per metric: y = x (black), tolerance band (grey dashes), worst outliers named" font ",15"
do for [p=1:npanels] {
  set title ptitle[p] font ",11"
  set xlabel sprintf("native: %s", punit[p]) font ",10"
  set ylabel "model (same unit)" font ",10"
  set xrange [plo[p]:phi[p]]
  set yrange [plo[p]:phi[p]]
  r_ = prel[p]
  a_ = pabs[p]
  band = (r_ > 0 || a_ > 0) ? 1 : 0
  set label 2 pnote[p] at graph 0.98, graph 0.03 right font ",8" front
  plot for [b=1:band] upper(x) with lines dt 2 lc rgb "#888888" title "tolerance", \
       for [b=1:band] lower(x) with lines dt 2 lc rgb "#888888" notitle, \
       x with lines lc rgb "black" lw 1 title "y = x", \
       for [j=pfirst[p]:plast[p]] datafile index bidx[j] using 1:2 with points pt cpt(bcls[j]) ps 1.1 lc clc(bcls[j]) title ctit(bcls[j]), \
       for [b=1:(plabl[p] >= 0)] datafile index (plabl[p] >= 0 ? plabl[p] : 0) using 1:2:3 with labels left offset char 0.7,0.4 font ",8" notitle, \
       for [b=1:(plabr[p] >= 0)] datafile index (plabr[p] >= 0 ? plabr[p] : 0) using 1:2:3 with labels right offset char -0.7,0.4 font ",8" notitle
}
if (npanels < 6) {
  unset logscale xy
  unset grid
  unset border
  unset tics
  unset key
  unset xlabel
  unset ylabel
  set size noratio
  set xrange [0:1]
  set yrange [0:1]
  set title "Verdict per metric family (analysis/compare.c)" font ",11"
  unset label 2
  set label 1 verdicts at graph 0.02, graph 0.9 left font ",11"
  plot -1 notitle
}
unset multiplot
