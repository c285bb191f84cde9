/**
 * Tour section `lm` for the tiny LM, eval/ and lora/ (here, above lm/ and lora/): learning curves from the shipped
 * training and fine-tuning logs, a perplexity / bits-per-byte table measured now with src/eval on
 * both validation texts for the base model and the LoRA-adapted one, greedy addition accuracy and
 * sample completions. Loads assets/lm; never trains.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTf } from '../core/engine.js';
import { Rng } from '../core/rng.js';
import type { Figure, Table, TourSection } from '../core/tour-section.js';
import { arithmeticLine } from '../lm/corpus.js';
import { assetsDir, loadTinyLm, shippedModelDir, TRAINING_LOG } from '../lm/io.js';
import { sampleTokens } from '../lm/sample.js';
import { byteTokenizer } from '../lm/tokenizer.js';
import { disposeParams } from '../nn/index.js';
import { type CausalLm, evaluateText, tinyCausalLm } from './index.js';

export const SHIPPED_ADAPTER = 'lora-captions';

interface LogRow {
  step: number;
  loss: number;
  validLoss?: number;
}

function readLog(path: string): LogRow[] {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')).history as LogRow[]) : [];
}

/** Train loss (every 5th step) and validation loss rows of a log, tagged by run. */
function curveRows(history: LogRow[], run: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const r of history) {
    if (r.step % 5 === 0) rows.push({ run, step: r.step + 1, loss: r.loss, split: 'train' });
    if (r.validLoss !== undefined) rows.push({ run, step: r.step + 1, loss: r.validLoss, split: 'validation' });
  }
  return rows;
}

function curveFigure(rows: Record<string, unknown>[], caption: string): Figure {
  return {
    caption,
    vegaLite: {
      width: 420,
      height: 240,
      data: { values: rows },
      mark: { type: 'line', point: false },
      encoding: {
        x: { field: 'step', type: 'quantitative' },
        y: { field: 'loss', type: 'quantitative', title: 'cross-entropy (nats/byte)' },
        color: { field: 'split', type: 'nominal' },
        strokeDash: { field: 'run', type: 'nominal' },
      },
    },
  };
}

/** Greedy exact-match accuracy on `n` seeded problems "a+b=" (the GRPO task). */
async function additionAccuracy(modelDir: string, adapterDir: string | undefined, n: number): Promise<number> {
  await getTf();
  const { params, config } = loadTinyLm(modelDir, adapterDir);
  try {
    const rng = new Rng(12345);
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const line = arithmeticLine(rng);
      const prompt = line.slice(0, line.indexOf('=') + 1);
      const out = sampleTokens(params, config, byteTokenizer.encode(prompt), rng, { maxNewTokens: 5, temperature: 0 });
      if (byteTokenizer.decode(out).trim() === line.slice(prompt.length)) correct++;
    }
    return correct / n;
  } finally {
    disposeParams(params);
  }
}

async function completions(modelDir: string, adapterDir: string | undefined, prompts: string[]): Promise<string[]> {
  const { params, config } = loadTinyLm(modelDir, adapterDir);
  try {
    return prompts.map((p) =>
      byteTokenizer
        .decode(sampleTokens(params, config, byteTokenizer.encode(p), new Rng(0), { maxNewTokens: 40, temperature: 0 }))
        .trimEnd(),
    );
  } finally {
    disposeParams(params);
  }
}

async function perplexityTable(model: string, adapter: string | undefined, bytes: number): Promise<Table> {
  const corpus = join(assetsDir(), 'corpus');
  const rows: (string | number)[][] = [];
  for (const [label, dir] of [
    ['base', undefined],
    ['base + LoRA (captions)', adapter],
  ] as const) {
    if (label !== 'base' && !dir) continue;
    const lm: CausalLm = await tinyCausalLm(model, dir);
    try {
      for (const file of ['pretrain.valid.txt', 'captions.valid.txt']) {
        const text = readFileSync(join(corpus, file), 'utf8').slice(0, bytes);
        const r = await evaluateText(lm, text);
        rows.push([
          label,
          file,
          r.tokens,
          +r.crossEntropy.toFixed(4),
          +r.perplexity.toFixed(3),
          +r.bitsPerByte.toFixed(4),
        ]);
      }
    } finally {
      await lm.dispose();
    }
  }
  return {
    caption: `Measured now with src/eval on the first ${bytes} bytes of each validation text (context = block size, stride = context - 1)`,
    columns: ['model', 'text', 'tokens', 'cross-entropy (nats/byte)', 'perplexity', 'bits per byte'],
    rows,
  };
}

export const section: TourSection = {
  id: 'lm',
  title: 'A tiny language model: RoPE transformer, LoRA fine-tuning and evaluation',
  async run(ctx) {
    const model = shippedModelDir();
    const adapterPath = join(assetsDir(), SHIPPED_ADAPTER);
    const adapter = existsSync(adapterPath) ? adapterPath : undefined;
    const pre = readLog(join(model, TRAINING_LOG));
    const ft = adapter ? readLog(join(adapter, 'finetune-log.json')) : [];
    const table = await perplexityTable(model, adapter, ctx.quick ? 500 : 1500);
    const n = ctx.quick ? 10 : 40;
    const accBase = await additionAccuracy(model, undefined, n);
    const accLora = adapter ? await additionAccuracy(model, adapter, n) : null;
    const prompts = ['12+34=', '7+58=', 'The old cat', 'a large red'];
    const base = await completions(model, undefined, prompts);
    const tuned = adapter ? await completions(model, adapter, prompts) : prompts.map(() => '');
    return {
      summary:
        'A byte-level decoder-only transformer with RoPE, trained here on a generated corpus (simple English and ' +
        '"a+b=c" lines), then adapted with LoRA to a new domain (toy-world captions): the adapter lowers the ' +
        'captions perplexity at the cost of a small fraction of trainable parameters. Metrics are measured now with ' +
        'the eval part; the curves come from the shipped training logs.',
      tables: [
        table,
        {
          caption: `Greedy exact-match accuracy on ${n} seeded two-digit additions "a+b=" (the GRPO task)`,
          columns: ['model', 'accuracy'],
          rows: [
            ['base', accBase],
            ...(accLora === null ? [] : [['base + LoRA (captions)', accLora] as [string, number]]),
          ],
        },
        {
          caption: 'Greedy completions',
          columns: ['prompt', 'base', 'base + LoRA (captions)'],
          rows: prompts.map((p, i) => [p, base[i], tuned[i]]),
        },
      ],
      figures: [
        curveFigure(curveRows(pre, 'pre-training'), 'Pre-training: train and validation loss (shipped log)'),
        ...(ft.length ? [curveFigure(curveRows(ft, 'LoRA'), 'LoRA fine-tuning on captions (shipped log)')] : []),
      ],
      data: { perplexity: table.rows, additionAccuracy: { base: accBase, lora: accLora } },
    };
  },
};
