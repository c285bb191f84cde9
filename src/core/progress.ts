/**
 * Progress bars for long work (training, benchmarks, batch edits): cli-progress on stderr when
 * stderr is a terminal, silent otherwise (CI logs and `--json` pipes stay clean).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the absolute position and (optionally) metrics shown after the bar. */
  update(value: number, metrics?: Record<string, number | string>): void;
  increment(by?: number, metrics?: Record<string, number | string>): void;
  stop(): void;
}

const formatMetrics = (metrics: Record<string, number | string> = {}) =>
  Object.entries(metrics)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'number' ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4)) : v}`,
    )
    .join(' ');

/** Whether progress bars are drawn (stderr is a TTY and MODELMATH_NO_PROGRESS is not set). */
export function progressEnabled(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.MODELMATH_NO_PROGRESS;
}

/** A progress bar for `total` units of work labelled `label`; a no-op off a TTY. */
export function createProgress(label: string, total: number, options: { enabled?: boolean } = {}): Progress {
  if (!(options.enabled ?? progressEnabled())) {
    return { update() {}, increment() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% {value}/{total} eta {eta_formatted} {metrics}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { metrics: '' });
  let current = 0;
  return {
    update(value, metrics) {
      current = value;
      bar.update(value, { metrics: formatMetrics(metrics) });
    },
    increment(by = 1, metrics) {
      current += by;
      bar.update(current, { metrics: formatMetrics(metrics) });
    },
    stop() {
      bar.stop();
    },
  };
}
