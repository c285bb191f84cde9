/**
 * A GRPO trainer's whole run on nn's one training loop (Node side: progress bar, checkpoints and
 * resume on disk); the trainer itself (./trainer.ts) only knows single steps, so pages that own
 * their loop (the web lab) use it without the loop's file I/O.
 */
import { type Metrics, trainLoop } from '../nn/index.js';
import { formatLog, type GrpoStepLog, type GrpoTrainer } from './trainer.js';

export interface GrpoTrainOptions {
  checkpointPath?: string;
  resume?: boolean;
  label?: string;
  onLog?(log: GrpoStepLog): void;
  log?(line: string): void;
}

/**
 * Runs `config.steps` steps through nn's trainLoop: progress bar, a checkpoint in `checkpointPath`
 * every `config.checkpointEvery` steps (and at the end; policy state, RNG, step), `resume` from
 * it, and one text line to `log` every `config.logEvery` steps.
 */
export async function trainGrpo<P, C>(trainer: GrpoTrainer<P, C>, o: GrpoTrainOptions = {}): Promise<Metrics[]> {
  const { steps, checkpointEvery, logEvery } = trainer.config;
  const { history } = await trainLoop({
    steps,
    step: async () => {
      const log = await trainer.trainStep();
      o.onLog?.(log);
      if (o.log && logEvery > 0 && log.step % logEvery === 0) o.log(formatLog(log));
      return { ...log };
    },
    checkpoint: o.checkpointPath
      ? {
          path: o.checkpointPath,
          every: checkpointEvery || steps,
          save: () => trainer.toPayload(),
          restore: (p) => trainer.fromPayload(p),
        }
      : undefined,
    resume: o.resume,
    label: o.label ?? 'grpo',
  });
  return history;
}
