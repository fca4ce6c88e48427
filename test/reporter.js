// Mocha's spec reporter, plus where the time went (each top-level suite) and the plain closing
// line CI reads: "N passed, N failed, N skipped".
'use strict';
const Mocha = require('mocha');
const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const started = new Map();
    const times = [];
    runner.on(EVENT_SUITE_BEGIN, (s) => s.parent?.root && started.set(s, Date.now()));
    runner.on(EVENT_SUITE_END, (s) => started.has(s) && times.push([s.title, Date.now() - started.get(s)]));
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      const slow = times.sort((a, b) => b[1] - a[1]).slice(0, 12);
      process.stdout.write(`\nSuites by time:\n${slow.map(([t, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${t}`).join('\n')}\n`);
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
    });
  }
}

module.exports = SpecWithSummary;
