// Writes each project's test counts to tmp/test-results/<project>.json so `npm test` can print one total.
// Nx caches the file as an output of the test target, so cached runs still count.
const fs = require('node:fs');
const path = require('node:path');

class ResultsReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const project = path.basename(this.globalConfig.rootDir);
    const dir = path.join(__dirname, '..', '..', 'tmp', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const summary = {
      project,
      passed: results.numPassedTests,
      // A suite that crashed before running its tests has no failed test but must count as a failure.
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, `${project}.json`), JSON.stringify(summary) + '\n');
  }
}

module.exports = ResultsReporter;
