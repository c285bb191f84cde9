/**
 * `modelmath rope freqs`: the per-pair frequencies and wavelengths of RoPE with an optional
 * context-extension scaling (linear / dynamic / yarn / llama3), as a table or one JSON object.
 * Every flag is a field of rope/config.ts's schemas.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { ropeBaseSchema, ropeScalingSchema } from './config.js';

const scaling = ropeScalingSchema.shape;

const freqs = defineCommand({
  name: 'freqs',
  summary: 'per-pair frequency theta_j and wavelength 2 pi / theta_j, optionally scaled',
  options: z.object({
    headDim: z.number().int().min(2).max(65536).default(128).describe('head dimension d (even)'),
    base: ropeBaseSchema,
    scaling: scaling.type.optional(),
    factor: scaling.factor.optional().describe("context-extension factor s = L' / L (required with --scaling)"),
    originalMaxPositions: scaling.originalMaxPositions,
    lowFreqFactor: scaling.lowFreqFactor,
    highFreqFactor: scaling.highFreqFactor,
    betaFast: scaling.betaFast,
    betaSlow: scaling.betaSlow,
    attentionFactor: scaling.attentionFactor,
    seqLen: z.number().int().min(1).optional().describe('current sequence length (dynamic NTK; default: L)'),
  }),
  examples: ['modelmath rope freqs --head-dim 8', 'modelmath rope freqs --scaling yarn --factor 4 --json'],
  async run(o) {
    const { ConfigError } = await import('../core/errors.js');
    const { resolveScaling, ropeInverseFrequencies } = await import('./frequencies.js');
    const { headDim, base, scaling: type, seqLen, ...rest } = o;
    if (type && rest.factor === undefined) throw new ConfigError('--factor is required with --scaling');
    const sc = type ? resolveScaling({ ...rest, type, factor: rest.factor as number }) : undefined;
    const theta = ropeInverseFrequencies(headDim, { base, scaling: sc, seqLen });
    const pairs = Array.from(theta, (t, j) => ({ pair: j, theta: t, wavelength: (2 * Math.PI) / t }));
    const lines = [
      `# RoPE d = ${headDim}, base ${base}${sc ? `, ${sc.type} scaling s = ${sc.factor} (L = ${sc.originalMaxPositions}, attention factor ${sc.attentionFactor.toFixed(4)})` : ''}`,
      'pair\ttheta\twavelength',
      ...pairs.map((p) => `${p.pair}\t${p.theta.toExponential(6)}\t${p.wavelength.toPrecision(6)}`),
    ];
    return {
      data: { headDim, base, scaling: sc ?? null, attentionFactor: sc?.attentionFactor ?? 1, pairs },
      text: lines.join('\n'),
    };
  },
});

export const commands = [
  { name: 'rope', summary: 'rotary position embeddings: frequencies and scaling variants', commands: [freqs] },
];
