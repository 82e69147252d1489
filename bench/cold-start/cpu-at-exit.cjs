// Preloaded (`node -r`) into every process the cold-start bench times, the bare one included: at
// exit it writes the process's own CPU time (user + system, microseconds, since the process began)
// to stderr, so the bench can report CPU beside wall time. CPU time barely moves when other work
// shares the machine; wall time does.
'use strict';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\ncold-start-cpu-us ${user + system}\n`);
});
