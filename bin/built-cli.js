'use strict';
// Which CLI module bin/sesform.js loads: the build in dist/ when it is at least as new as every
// source it is made from (TypeScript and the emulator's Python), else undefined (the sources run).
const fs = require('node:fs');
const path = require('node:path');

/** The newest modification time of the files under `dirs` that the build is made from. */
function newestSource(dirs) {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (/\.(ts|py)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(file).mtimeMs);
    }
  };
  for (const dir of dirs) if (fs.existsSync(dir)) visit(dir);
  return newest;
}

/** dist/src/cli.js under `root` when the build is current, else undefined. */
function builtCli(root) {
  let built;
  try {
    built = fs.statSync(path.join(root, 'dist', 'BUILD')).mtimeMs;
  } catch {
    return undefined;
  }
  const sources = newestSource([path.join(root, 'src'), path.join(root, 'modules')]);
  return built >= sources ? path.join(root, 'dist', 'src', 'cli.js') : undefined;
}

module.exports = { builtCli };
