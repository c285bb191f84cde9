/**
 * The GRPO page: the lecture's bandit (lecture 17 sec. 5: 32 prompts, 8 actions, reward 1 for
 * action = prompt mod 8; group 8, clip 0.2, beta 0.05, k3 KL) trained live in the page with the grpo
 * part's lectureTrainer, the same trainer `modelmath grpo bandit` runs; reward and KL curves per step.
 */
import { LOSS_TYPES, type LossType, lectureTrainer } from '../../grpo/index.js';
import { linePlot } from './plot.js';
import { $, fillSelect, message, nextFrame, num, showError, status } from './ui.js';

let say: ReturnType<typeof status>;
let running = false;

async function train(): Promise<void> {
  if (running) return;
  running = true;
  showError($('grpo-error'), '');
  const steps = num('grpo-steps');
  const { trainer, policy } = lectureTrainer({
    steps,
    seed: num('grpo-seed'),
    config: { beta: num('grpo-beta'), lossType: $<HTMLSelectElement>('grpo-loss').value as LossType },
  });
  const reward: [number, number][] = [];
  const kl: [number, number][] = [];
  try {
    for (let i = 1; running && i <= steps; i++) {
      const log = await trainer.trainStep();
      reward.push([i, log['reward/mean']]);
      kl.push([i, log.kl]);
      if (i % 5 === 0 || i === steps) {
        linePlot($<HTMLCanvasElement>('grpo-reward'), [{ name: 'mean reward', color: '#2ca02c', points: reward }], {
          title: 'mean reward of each step’s rollout',
          xLabel: 'step',
          yLabel: 'reward',
          yMin: 0,
          yMax: 1,
        });
        linePlot(
          $<HTMLCanvasElement>('grpo-kl'),
          [{ name: 'KL to the reference (k3)', color: '#9467bd', points: kl }],
          {
            title: 'KL(π_θ ‖ π_ref) per step',
            xLabel: 'step',
            yLabel: 'KL',
          },
        );
        $('grpo-step').textContent = String(i);
        say(`step ${i} of ${steps}: reward ${log['reward/mean'].toFixed(3)}, KL ${log.kl.toExponential(2)}`, i / steps);
        await nextFrame();
      }
    }
    const e = policy.evaluate();
    $('grpo-accuracy').textContent = e.greedyAccuracy.toFixed(3);
    say(`done: greedy accuracy ${e.greedyAccuracy.toFixed(3)} over the 32 prompts`, null);
  } catch (err) {
    say('failed', null);
    showError($('grpo-error'), message(err));
  } finally {
    running = false;
  }
}

export function initGrpo(): void {
  say = status('grpo-status');
  fillSelect($<HTMLSelectElement>('grpo-loss'), LOSS_TYPES);
  $('grpo-train').addEventListener('click', () => void train());
  $('grpo-stop').addEventListener('click', () => {
    running = false;
  });
  say('ready: press Train', null);
}
