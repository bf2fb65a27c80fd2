// Prints one plain closing line as the very last output of the run, e.g.
// "Summary: 143 passed, 0 failed, 0 skipped", so any CI reads the outcome the same way.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numRuntimeErrorTestSuites } = results;
    const line = `Summary: ${numPassedTests} passed, ${numFailedTests + numRuntimeErrorTestSuites} failed, ${numPendingTests + numTodoTests} skipped`;
    // Jest prints its "Ran all test suites" after the reporters; writes to stderr are synchronous at exit.
    process.once('exit', () => process.stderr.write(`${line}\n`));
  }
}
module.exports = SummaryReporter;
