import { cpus, loadavg } from 'node:os';
import { round } from './statistics';

/** What a benchmark or drill result should say about the machine it ran on. */
export const machine = () => ({
  cores: cpus().length,
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  node: process.version,
  loadAverage: loadavg().map((value) => round(value)),
});
