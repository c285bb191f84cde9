/**
 * `modelmath lora inspect --adapter DIR`: what a PEFT LoRA/DoRA adapter folder holds (ours or one
 * written by PEFT): config, every module with its rank, shapes and scaling, and the parameter count.
 * Merging into the tiny LM is `modelmath lm merge`.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';

const inspect = defineCommand({
  name: 'inspect',
  summary: 'list the modules, ranks, shapes and scalings of a PEFT adapter folder',
  options: z.object({
    adapter: z
      .string()
      .min(1)
      .describe('adapter folder (adapter_config.json + adapter_model.safetensors)')
      .meta({ placeholder: 'dir' }),
  }),
  examples: ['modelmath lora inspect --adapter assets/lm/lora-captions'],
  async run(o) {
    const { loadLoraAdapter } = await import('./peft.js');
    const a = loadLoraAdapter(o.adapter);
    const modules = [...a.modules].map(([name, m]) => ({
      name,
      r: m.dims.r,
      inDim: m.dims.inDim,
      outDim: m.dims.outDim,
      scaling: m.scaling,
      dora: Boolean(m.factors.magnitude),
    }));
    const parameters = [...a.modules.values()].reduce(
      (n, m) => n + m.factors.a.length + m.factors.b.length + (m.factors.magnitude?.length ?? 0),
      0,
    );
    const lines = [
      'module\tr\tout x in\tscaling\tDoRA',
      ...modules.map((m) => `${m.name}\t${m.r}\t${m.outDim} x ${m.inDim}\t${m.scaling}\t${m.dora ? 'yes' : 'no'}`),
      `${modules.length} modules, ${parameters} adapter parameters`,
    ];
    return {
      data: { adapter: o.adapter, config: a.config, baseModel: a.baseModel, modules, parameters },
      text: lines.join('\n'),
    };
  },
});

export const commands = [
  { name: 'lora', summary: 'LoRA / DoRA adapters in the Hugging Face PEFT format', commands: [inspect] },
];
