import { SingleBar } from 'cli-progress';

/** Reports `done` of `total` units; called as often as the caller likes. */
export type ProgressFn = (done: number, total: number) => void;

/** Options of {@link makeProgress}. */
export interface ProgressOptions {
  /** What is counted, e.g. `reading` (bytes, shown in MB) or `sending` (messages). */
  label: string;
  /** `bytes` shows MB; `count` shows plain numbers. */
  unit: 'bytes' | 'count';
  /** Totals below this show nothing (a small input finishes before a bar would help). */
  minTotal?: number;
  /** Where to write (default process.stderr). */
  stream?: NodeJS.WriteStream;
}

/**
 * A progress display on stderr, TTY-aware: on an interactive terminal a bar that redraws in place;
 * otherwise (CI logs, pipes) one plain line at each quarter (25/50/75/100 %), so logs stay short.
 * Progress never goes to stdout, which carries the command's result.
 */
export function makeProgress(options: ProgressOptions): ProgressFn {
  const stream = options.stream ?? process.stderr;
  const scale = options.unit === 'bytes' ? 1e6 : 1;
  const unit = options.unit === 'bytes' ? ' MB' : '';
  const minTotal = options.minTotal ?? 0;
  let bar: SingleBar | undefined;
  let stopped = false;
  let lastQuarter = 0;
  return (done, total) => {
    if (stopped || total <= 0 || total < minTotal) return;
    if (stream.isTTY) {
      if (!bar) {
        bar = new SingleBar({
          format: `${options.label} [{bar}] {percentage}% | {value}/{total}${unit} | {duration_formatted}`,
          stream,
          hideCursor: true,
        });
        bar.start(Math.ceil(total / scale), 0);
      }
      bar.update(Math.floor(done / scale));
      if (done >= total) {
        bar.stop();
        stopped = true;
      }
      return;
    }
    const quarter = Math.floor((Math.min(done, total) / total) * 4);
    if (quarter > lastQuarter) {
      lastQuarter = quarter;
      stream.write(
        `${options.label}: ${quarter * 25}% (${Math.floor(done / scale).toLocaleString('en-US')}/${Math.ceil(total / scale).toLocaleString('en-US')}${unit})\n`,
      );
      if (quarter >= 4) stopped = true;
    }
  };
}
