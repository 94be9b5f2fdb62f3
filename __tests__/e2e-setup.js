/* global jest */
// End-to-end tests run real Terraform and the emulator beside other test files on a 2-core machine:
// a test without a timeout of its own gets one sized for a loaded machine, not jest's 5 s.
jest.setTimeout(120_000);
