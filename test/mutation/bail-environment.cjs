'use strict';
/**
 * The jest environment of the mutation run: Node.js, plus what jest's runner cannot do when
 * StrykerJS drives it, stop at the first failing test. Once a test has failed with a mutant
 * active, the mutant is detected, and every test after it (in this file and the next ones) is
 * skipped, with its hooks: a moto_server is not even taken for them. Without an active mutant (the
 * first, unmutated run, or a plain jest run) it changes nothing.
 */
const { TestEnvironment } = require('jest-environment-node');

const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
/** The mutant whose tests have already failed; module state, so it outlives one test file. */
let detected;

class BailOnFirstFailureEnvironment extends TestEnvironment {
  async handleTestEvent(event, state) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) {
      return;
    }
    if (event.name === 'run_start' && detected === mutant) {
      state.rootDescribeBlock.mode = 'skip';
    } else if (event.name === 'test_start' && detected === mutant) {
      event.test.mode = 'skip';
    } else if (event.name === 'test_done' && event.test.errors.length > 0) {
      detected = mutant;
    }
  }
}

module.exports = BailOnFirstFailureEnvironment;
