# Two threads each wait for the other's flag before raising their own: both
# poll forever.  Reported as a livelock once an execution passes its step
# bound.
process p va 2M
vma p 0x100000 1 rw

thread a
  wait b-ready
  signal a-ready
thread b
  wait a-ready
  signal b-ready

expect violation livelock
step-bound 2000
explore random 10
