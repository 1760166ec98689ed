# gnuplot plot.gp  (after: python3 model.py, which writes the .dat files here)
set terminal svg size 900,560 dynamic font "sans,12" background "white"
set logscale x
set xlabel "machines N (log)"
set grid
set key inside top left
set xrange [10:10000]
c1 = "lan_s1"; c2 = "lan_sN"; c3 = "group_s1"; c4 = "group_sN"; c5 = "group_sN_wan"

do for [tag in "100m 1g"] {
  set output sprintf("egress_%s.svg", tag)
  set title sprintf("Origin egress (copies of the file), origin %s; dashed: both breaks mended", tag eq "1g" ? "1 Gbit" : "100 Mbit")
  set logscale y
  set ylabel "origin bytes / file size (log)"
  plot sprintf("lan_s1_%s.dat", tag)   u 1:3 w lp lw 2 lc 1 t "lan, 1 subnet", \
       sprintf("lan_sN_%s.dat", tag)   u 1:3 w lp lw 2 lc 2 t "lan, N/50 subnets", \
       sprintf("group_s1_%s.dat", tag) u 1:3 w lp lw 2 lc 3 t "group, 1 subnet (same as N/50)", \
       sprintf("group_sN_%s.dat", tag) u 1:3 w lp lw 2 lc 4 t "group, N/50 subnets", \
       sprintf("lan_sN_%s.dat", tag)   u 1:14 w l dt 2 lw 2 lc 2 t "lan N/50, mended", \
       sprintf("group_sN_%s.dat", tag) u 1:14 w l dt 2 lw 2 lc 4 t "group N/50, mended"
  set output sprintf("last_finish_%s.svg", tag)
  set title sprintf("Last finish / ideal (file / origin rate), origin %s; dashed: both breaks mended", tag eq "1g" ? "1 Gbit" : "100 Mbit")
  set ylabel "last finish / ideal (log)"
  plot sprintf("lan_s1_%s.dat", tag)   u 1:5 w lp lw 2 lc 1 t "lan, 1 subnet", \
       sprintf("lan_sN_%s.dat", tag)   u 1:5 w lp lw 2 lc 2 t "lan, N/50 subnets", \
       sprintf("group_s1_%s.dat", tag) u 1:5 w lp lw 2 lc 3 t "group, 1 subnet", \
       sprintf("group_sN_%s.dat", tag) u 1:5 w lp lw 2 lc 4 t "group, N/50 subnets, 1 Gbit routers", \
       sprintf("group_sN_wan_%s.dat", tag) u 1:5 w lp lw 2 lc 7 t "group, N/50 subnets, 20 Mbit links", \
       sprintf("group_sN_%s.dat", tag) u 1:15 w l dt 2 lw 2 lc 4 t "group N/50, mended", \
       sprintf("group_sN_wan_%s.dat", tag) u 1:15 w l dt 2 lw 2 lc 7 t "group N/50 20 Mbit, mended"
}

set terminal svg size 900,720 dynamic font "sans,12" background "white"
set output "control_plane.svg"
set title "Control plane vs N (per content; the N start within 10 s)"
set logscale y
set ylabel "rate or count (log)"
set key outside below maxrows 5
plot "group_sN_100m.dat" u 1:9  w lp lw 2 lc 1 t "tracker announces/s at start (group)", \
     "group_sN_100m.dat" u 1:10 w lp lw 2 lc 2 t "tracker announces/s steady (group)", \
     "lan_s1_100m.dat"   u 1:11 w lp lw 2 lc 3 t "LSD packets/s at start, one flat subnet", \
     "lan_sN_100m.dat"   u 1:11 w l  dt 2 lw 2 lc 3 t "LSD packets/s at start, 50 a subnet", \
     "group_s1_100m.dat" u 1:7  w lp lw 2 lc 4 t "connection slots wanted per machine (group)", \
     "lan_s1_100m.dat"   u 1:7  w l  dt 2 lw 2 lc 4 t "connection slots wanted (lan, flat subnet)", \
     "group_s1_100m.dat" u 1:13 w lp lw 2 lc 7 t "origin HTTP connections (group)", \
     200 w l lw 1 lc rgb "black" t "connections_limit 200", \
     3072 w l dt 3 lw 1 lc rgb "black" t "nginx 768 x 4 workers (assumed)"

set key inside top left
set output "t_first.svg"
set title "Time to the first verified piece at a together start vs the 2 s take-over"
set ylabel "seconds (log)"
plot "group_s1_100m.dat" u 1:6 w lp lw 2 lc 1 t "origin 100 Mbit, 128 KiB pieces", \
     "group_s1_1g.dat"   u 1:6 w lp lw 2 lc 2 t "origin 1 Gbit, 128 KiB pieces", \
     2 w l lw 2 lc rgb "red" t "kTakeOverAfter = 2 s"
