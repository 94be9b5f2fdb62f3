'use strict';
// The AWS SDK warns on every start that later releases will need Node 22; the pinned stack is Node 20.
// Every other warning is emitted as usual.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (String(text).startsWith('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
};
