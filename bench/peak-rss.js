// Preloaded into a measured process: reports its peak resident memory when it exits.
const fs = require('node:fs');

process.on('exit', () => {
  const target = process.env.SESFORM_BENCH_RSS_FILE;
  if (target) fs.writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
});
