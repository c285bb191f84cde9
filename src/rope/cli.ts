/**
 * `modelmath rope freqs`: the per-pair frequencies and wavelengths of RoPE with an optional
 * context-extension scaling (linear / dynamic / yarn / llama3), as a table or one JSON object.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, numberFlag, parseOptions } from '../cli/context.js';
import { ConfigError } from '../core/errors.js';
import { ROPE_SCALING_TYPES, type RopeScaling, resolveScaling, ropeInverseFrequencies } from './frequencies.js';

const schema = z.object({
  headDim: numberFlag.pipe(z.number().int().min(2).max(65536)),
  base: numberFlag.pipe(z.number().gt(1)),
  scaling: z.enum(ROPE_SCALING_TYPES as [string, ...string[]]).optional(),
  factor: numberFlag.pipe(z.number().positive()).optional(),
  originalMax: numberFlag.pipe(z.number().int().min(1)).optional(),
  seqLen: numberFlag.pipe(z.number().int().min(1)).optional(),
});

export function register(program: Command): void {
  const rope = program.command('rope').description('rotary position embeddings: frequencies and scaling variants');
  rope
    .command('freqs')
    .description('per-pair frequency theta_j and wavelength 2 pi / theta_j, optionally scaled')
    .option('--head-dim <n>', 'head dimension d (even)', '128')
    .option('--base <x>', 'RoPE base', '10000')
    .option('--scaling <type>', `context extension: ${ROPE_SCALING_TYPES.join(', ')}`)
    .option('--factor <s>', 'scaling factor s (required with --scaling)')
    .option('--original-max <n>', 'pre-training context L0 (default 8192 for llama3, 4096 otherwise)')
    .option('--seq-len <n>', 'current sequence length (dynamic NTK)')
    .action(
      action((raw, ctx) => {
        const o = parseOptions(schema, raw);
        if (o.scaling && o.factor === undefined) throw new ConfigError('--factor is required with --scaling');
        const scaling: RopeScaling | undefined = o.scaling
          ? { type: o.scaling as RopeScaling['type'], factor: o.factor as number, originalMaxPositions: o.originalMax }
          : undefined;
        const theta = ropeInverseFrequencies(o.headDim, { base: o.base, scaling, seqLen: o.seqLen });
        const attentionFactor = scaling ? resolveScaling(scaling).attentionFactor : 1;
        const pairs = Array.from(theta, (t, j) => ({ pair: j, theta: t, wavelength: (2 * Math.PI) / t }));
        for (const p of pairs) ctx.log(`${p.pair}\t${p.theta.toExponential(6)}\t${p.wavelength.toPrecision(6)}`);
        return { headDim: o.headDim, base: o.base, scaling: scaling ?? null, attentionFactor, pairs };
      }),
    );
}
