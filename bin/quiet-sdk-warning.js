'use strict';
// On Node 20 the AWS SDK warns on every start that its later releases need Node 22: the one warning
// dropped, and only on Node versions older than 22. On 22 and later nothing is hidden (a future
// notice about those versions must be seen), and every other warning is emitted as usual.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = (warning, ...rest) => {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (String(text).startsWith('NodeVersionSupportWarning')) return;
    emitWarning(warning, ...rest);
  };
}
